/** Demo mode's downloads: the Transmission fake with demo torrents that progress over time. */
import type { DemoBackend } from './index.ts';
import { startTransmissionFake } from './transmission.ts';

const USER = 'transmission';
const PASSWORD = 'transmission-demo-pass';

/** The fake Transmission RPC with seeded torrents, named by downloadsArea.demo. */
export const transmissionDemoBackend: DemoBackend = {
  name: 'transmission',
  async start() {
    // A started torrent finishes in 90 s, so a "download finished" message shows up during a demo.
    const fake = await startTransmissionFake({ username: USER, password: PASSWORD, seed: true, downloadMs: 90_000 });
    return {
      config: {
        transmission: {
          url: fake.url,
          username: USER,
          password: PASSWORD,
          pollSeconds: 10,
          downloadDirs: { movies: '/downloads/movies', series: '/downloads/series', other: '/downloads' },
        },
      },
      close: () => fake.close(),
    };
  },
};
