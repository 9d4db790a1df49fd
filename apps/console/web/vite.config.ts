import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

// The NestJS console serves dist/console-web and answers /api and /auth itself; in `vite dev` those two
// are proxied to a running console (CONSOLE_URL) so the UI can be worked on against real data.
const backend = process.env.CONSOLE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.resolve(here, '../../../dist/console-web'),
    emptyOutDir: true,
  },
  server: {
    proxy: { '/api': backend, '/auth': backend },
  },
});
