import { defineConfig } from 'vite';

export default defineConfig({
  // A missing file is a 404, never index.html (the dataset loader tells "not found" from a bad file).
  appType: 'mpa',
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
