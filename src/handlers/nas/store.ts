import type { Db, Migration } from '../../core/db.ts';
import type { OmvLoginMarkStore } from '../../services/omv/client.ts';

/** Schema of the NAS area: OMV's login-marker cookies, kept across restarts. */
export const nasMigrations: Migration[] = [
  {
    id: 'nas-0001-omv-login-marks',
    up: `CREATE TABLE nas_omv_login_marks (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL
    )`,
  },
];

/**
 * The `X-OPENMEDIAVAULT-LOGIN-<hash>` cookies in SQLite: OMV emails the admin on every login
 * that brings none, so a restart must not forget them.
 */
export class OmvLoginMarks implements OmvLoginMarkStore {
  constructor(private readonly db: Db) {}

  /** The stored marker cookies. */
  load(): ReadonlyMap<string, string> {
    const rows = this.db.prepare('SELECT name, value FROM nas_omv_login_marks').all() as { name: string; value: string }[];
    return new Map(rows.map((r) => [r.name, r.value]));
  }

  /** Replaces the stored marker cookies with these. */
  save(marks: ReadonlyMap<string, string>): void {
    const insert = this.db.prepare('INSERT INTO nas_omv_login_marks (name, value) VALUES (?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM nas_omv_login_marks').run();
      for (const [name, value] of marks) insert.run(name, value);
    })();
  }
}
