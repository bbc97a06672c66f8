// The review page on photos and recordings in a real browser (Debian's chromium driven by
// playwright-core): a lot of a photo, a video and a sound recording (make_media_lot) run
// through `lantai run`; the photo shows its access copy, the video its contact sheet, the
// sound its waveform, with their measurements, and none offers turning, straightening or
// cropping; the rotate key does nothing on them.
//
// Environment: LANTAI_BIN, MAKE_MEDIA_LOT, LANTAI_PROFILE, REVIEW_DIR (a folder of its
// own), SCREENSHOT_DIR.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const bin = env('LANTAI_BIN');
const root = env('REVIEW_DIR');
const shots = env('SCREENSHOT_DIR');
const lot = join(root, 'lot');
const work = join(root, 'work');
const password = 'correct-horse-42';

function run(command, args, input) {
  const result = spawnSync(command, args, { input, encoding: 'utf8', env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}: ${result.stdout}${result.stderr}`);
  return result.stdout;
}

function startServer() {
  return new Promise((resolve, reject) => {
    const server = spawn(bin, ['review', work, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    server.stdout.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (match) resolve({ server, url: match[0] });
    });
    server.on('exit', (code) => reject(new Error(`lantai review exited with ${code}: ${output}`)));
  });
}

async function main() {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  mkdirSync(shots, { recursive: true });
  run(env('MAKE_MEDIA_LOT'), [lot]);
  run(bin, ['run', '--profile', env('LANTAI_PROFILE'), '--in', join(lot, 'scans'), '--catalog', join(lot, 'catalogue.csv'),
    '--out', work, '--fonds', 'J012', '--unit', '示例市档案馆', '--jobs', '2', '--virus-db', env('LANTAI_TEST_VIRUS_DB')]);
  run(bin, ['review', 'user', 'add', 'wang', '--role', 'supervisor', '--work', work], `${password}\n`);

  const { server, url } = await startServer();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 960 }, locale: 'zh-CN' });
    const problems = [];
    page.on('pageerror', (error) => problems.push(error.message));
    const decisions = [];
    page.on('request', (request) => { if (request.method() === 'POST' && request.url().includes('/decision')) decisions.push(request.url()); });
    await page.goto(url);
    await page.fill('#login-name', 'wang');
    await page.fill('#login-password', password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#who:has-text("wang")');
    await page.click('#queues button:has-text("全部页")');
    await page.waitForFunction(() => document.querySelectorAll('#queue-list li').length === 3);

    const open = async (ref) => {
      await page.click(`#queue-list li:has-text("${ref}")`);
      await page.waitForSelector(`#item-ref:has-text("${ref}")`);
      await page.waitForFunction(() => [...document.querySelectorAll('.canvas > img')].every((img) => img.hidden || img.complete && img.naturalWidth > 0));
    };
    const loaded = (pane) => page.$eval(`#${pane} .canvas > img`, (img) => !img.hidden && img.naturalWidth > 0);
    const correctionsShown = () => page.$$eval('[data-correction]', (nodes) => nodes.filter((node) => !node.hidden).length);

    // The photo: its original beside its access copy; kept as scanned, so no corrections.
    await open('J012-ZP·2021-Y-0001');
    assert.match(await page.textContent('#caption-processed'), /利用副本/);
    assert.ok(await loaded('viewer-original'), 'the photo as scanned is shown');
    assert.ok(await loaded('viewer-processed'), 'the access copy is shown');
    assert.equal(await correctionsShown(), 0);
    assert.ok(await page.isVisible('#no-corrections'));
    await page.waitForSelector('#measurements dt:has-text("access_long_side_px")');
    await page.keyboard.press('r');
    await page.screenshot({ path: join(shots, 'review-photo.png') });

    // The video: its contact sheet; the sound: its waveform; each with its av measurements.
    for (const [ref, caption] of [['J012-SX·2021-Y-BGS-0001', /联系表/], ['J012-LY·2021-Y-BGS-0001', /波形/]]) {
      await open(ref);
      assert.match(await page.textContent('#caption-processed'), caption);
      assert.ok(await loaded('viewer-processed'), `${ref}: the ${caption} is shown`);
      assert.ok(await page.isVisible('#viewer-original .missing'), `${ref}: a recording has no original picture`);
      assert.equal(await correctionsShown(), 0);
      await page.waitForSelector('#measurements dt:has-text("duration_s")');
      await page.waitForSelector('#measurements dt:has-text("audio_codec")');
      await page.keyboard.press('r');
      if (ref.includes('SX')) await page.screenshot({ path: join(shots, 'review-video.png') });
    }
    assert.deepEqual(decisions, [], 'the rotate key sends nothing for a photo or a recording');
    assert.deepEqual(problems, [], `the page reported errors: ${problems.join('; ')}`);
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
  rmSync(root, { recursive: true, force: true });
  console.log(`review page on photos and recordings in chromium: ok; screenshots in ${shots}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
