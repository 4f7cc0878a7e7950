import type { Migration } from '../core/db.ts';

/** Alert engine state, mutes and the delivery outbox. */
export const alertMigrations: Migration[] = [
  {
    id: 'alerts-0001-state',
    up: `
      CREATE TABLE alert_records (
        key TEXT PRIMARY KEY,
        origin TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'raised', 'resolved')),
        data TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX alert_records_origin ON alert_records (origin);
      CREATE TABLE alert_origins (
        origin TEXT PRIMARY KEY,
        reachable INTEGER NOT NULL,
        since INTEGER NOT NULL,
        last_eval_at INTEGER NOT NULL,
        detail TEXT
      );
      CREATE TABLE alert_mutes (
        target TEXT PRIMARY KEY,
        until INTEGER NOT NULL,
        by TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    id: 'alerts-0002-outbox',
    up: `
      CREATE TABLE alert_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        destination TEXT NOT NULL,
        dedup_key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        severity TEXT NOT NULL,
        thread TEXT,
        edit INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead', 'held', 'merged', 'superseded')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        release_at INTEGER,
        last_error TEXT,
        ref TEXT,
        grouped INTEGER NOT NULL DEFAULT 0,
        merged_into INTEGER,
        created_at INTEGER NOT NULL,
        sent_at INTEGER
      );
      CREATE INDEX alert_outbox_dest ON alert_outbox (destination, status, id);
      CREATE INDEX alert_outbox_thread ON alert_outbox (thread, destination);
    `,
  },
  {
    id: 'alerts-0003-power-cuts',
    up: `
      CREATE TABLE power_cuts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        lowest_charge REAL,
        lowest_runtime INTEGER,
        state TEXT NOT NULL CHECK (state IN ('on-battery', 'cancelled', 'handed-over', 'restored')),
        handed_over_at INTEGER,
        summary TEXT,
        restored_at INTEGER
      );
    `,
  },
  {
    // When the restore sent Wake-on-LAN to the node: written before the packet, so a restart never wakes twice.
    id: 'alerts-0004-power-cut-wake',
    up: `ALTER TABLE power_cuts ADD COLUMN wake_sent_at INTEGER;`,
  },
  {
    // What the power cut held (backends and guests gone away), for its thread and the restore report.
    id: 'alerts-0005-power-cut-folded',
    up: `ALTER TABLE power_cuts ADD COLUMN folded TEXT;`,
  },
];
