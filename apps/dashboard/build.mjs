// Bundles the dashboard (apps/dashboard/src) into static files under
// apps/admin-api/public, which the admin API serves at `/`. Everything is
// bundled: no CDN, font or remote asset. Usage: node apps/dashboard/build.mjs [--watch] [--dev]
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'admin-api', 'public');
const assetsDir = join(outDir, 'assets');
const watch = process.argv.includes('--watch');
const dev = process.argv.includes('--dev') || watch;

const options = {
  entryPoints: { app: join(here, 'src', 'main.tsx') },
  bundle: true,
  outdir: assetsDir,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: !dev,
  sourcemap: dev ? 'inline' : false,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
  metafile: true,
};

async function writeIndex() {
  const [js, css, html] = await Promise.all([
    readFile(join(assetsDir, 'app.js')),
    readFile(join(assetsDir, 'app.css')).catch(() => Buffer.from('')),
    readFile(join(here, 'src', 'index.html'), 'utf8'),
  ]);
  // Cache-busting by content, so the assets may be cached and index.html never is.
  const v = createHash('sha256').update(js).update(css).digest('hex').slice(0, 12);
  await writeFile(join(outDir, 'index.html'), html.replaceAll('__VERSION__', v));
}

const started = Date.now();
await rm(assetsDir, { recursive: true, force: true });
await mkdir(assetsDir, { recursive: true });
await writeFile(join(outDir, '.gitignore'), '# built by apps/dashboard/build.mjs\n*\n');
if (watch) {
  const ctx = await esbuild.context({
    ...options,
    plugins: [{ name: 'index', setup: (b) => b.onEnd((r) => r.errors.length === 0 && writeIndex()) }],
  });
  await ctx.watch();
  console.log(`dashboard: watching, output in ${outDir}`);
} else {
  await esbuild.build(options);
  await writeIndex();
  if (process.env.npm_config_loglevel !== 'silent')
    console.log(`dashboard built in ${Date.now() - started} ms → ${outDir}`);
}
