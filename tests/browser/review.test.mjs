// The review page in a real browser (Debian's chromium driven by playwright-core): log
// in, open a quarantined page and turn it, accept a blank page; an inspector accepts a
// duplicate page and the supervisor signs it off; a record is sent back; in the acceptance sample
// (drawn with lantai sample), pass one check, fail one with a note, sign the verdict off
// and write the reports; then check that the next `lantai run` deposits the record that
// acceptance freed and carries the reports. Screenshots of the page are left in
// SCREENSHOT_DIR for people to judge the design.
//
// Environment: LANTAI_BIN, LANTAI_E2E_DIR (the sample lot and its WORK), LANTAI_PROFILE,
// REVIEW_DIR (a folder of its own), SCREENSHOT_DIR.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const bin = env('LANTAI_BIN');
const e2e = env('LANTAI_E2E_DIR');
const profile = env('LANTAI_PROFILE');
const root = env('REVIEW_DIR');
const shots = env('SCREENSHOT_DIR');
const work = join(root, 'work');
const password = 'correct-horse-42';

// The reports' CSV (RFC 4180: quoted fields may hold commas, doubled quotes and line breaks).
function csv(file) {
  const text = readFileSync(file, 'utf8');
  const lines = [];
  let cells = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; ++i; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { cells.push(cell); cell = ''; }
    else if (c === '\n') { cells.push(cell); lines.push(cells); cells = []; cell = ''; }
    else if (c !== '\r') cell += c;
  }
  if (cell || cells.length) { cells.push(cell); lines.push(cells); }
  const [header, ...rows] = lines;
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])));
}

function addUser(name, role) {
  const result = spawnSync(bin, ['review', 'user', 'add', name, '--role', role, '--work', work],
    { input: `${password}\n`, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
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
  execFileSync('cp', ['-a', join(e2e, 'lot'), join(e2e, 'work'), root]);
  const before = Object.fromEntries(csv(join(work, 'reports', 'records.csv')).map((r) => [r.record, r.status]));
  const pages = csv(join(work, 'reports', 'pages.csv'));
  const withCode = (code) => pages.find((p) => p.status === 'quarantined' && p.findings.split(';').includes(code));
  const blank = withCode('qc.blank');
  const lowResolution = withCode('qc.resolution.low');
  const duplicate = withCode('qc.duplicate');
  assert.ok(blank && lowResolution && duplicate, 'the sample lot has a blank, a low-resolution and a duplicate page');
  const missingPage = Object.keys(before).find((ref) => before[ref] === 'withheld' &&
    csv(join(work, 'reports', 'records.csv')).find((r) => r.record === ref).reasons === 'link.missing_page');
  assert.ok(missingPage, 'the sample lot has a record with a page missing');
  assert.equal(before[blank.record], 'withheld');

  addUser('wang', 'supervisor');
  addUser('li', 'inspector');
  const drawn = spawnSync(bin, ['sample', work, '--rate', '5%', '--seed', '20261130', '--by', '张三'], { encoding: 'utf8' });
  assert.equal(drawn.status, 0, drawn.stdout + drawn.stderr);
  const sampled = [...drawn.stdout.matchAll(/^\s+\d+\s+(\S+)\s/gm)].map((m) => m[1]);
  assert.ok(sampled.length >= 1, drawn.stdout);
  const { server, url } = await startServer();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 960 }, locale: 'zh-CN' });
    const problems = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });

    await page.goto(url);
    await page.fill('#login-name', 'wang');
    await page.fill('#login-password', 'a wrong password');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#login-error:has-text("wrong name or password")');
    await page.fill('#login-password', password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#queue-list li');
    assert.match(await page.textContent('#who'), /wang/);
    problems.length = 0;  // the 401s of the session probe and the wrong password were expected

    // Keyboard: J and K move through the queue, ? shows the shortcuts.
    const selected = () => page.evaluate(() => [...document.querySelectorAll('#queue-list li')].findIndex((li) => li.classList.contains('selected')));
    await page.waitForFunction(() => document.querySelector('#queue-list li.selected'));
    assert.equal(await selected(), 0);
    await page.keyboard.press('j');
    await page.waitForFunction(() => document.querySelectorAll('#queue-list li')[1]?.classList.contains('selected'));
    await page.keyboard.press('k');
    await page.waitForFunction(() => document.querySelectorAll('#queue-list li')[0]?.classList.contains('selected'));
    await page.keyboard.press('?');
    await page.waitForSelector('#help-dialog[open]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#help-dialog', { state: 'hidden' });

    // The quarantined low-resolution page: open it from its code's filter, turn it right.
    await page.click('#code-filters button:has-text("qc.resolution.low")');
    await page.waitForSelector('#code-filters button.active:has-text("qc.resolution.low")');  // the list is the filtered one
    await page.click('#queue-list li >> nth=0');
    await page.waitForSelector(`#item-file:has-text("${lowResolution.file.split('/').pop()}")`);
    await page.click('#act-rotate-right');
    await page.waitForSelector('#reason-dialog[open]');  // every decision says why
    await page.click('#reason-presets button >> nth=0');
    await page.click('#reason-ok');
    await page.waitForSelector('#pending:has-text("旋转 90°")');

    // The crop box on the original (B): its corner dragged, the typed field follows; a skew
    // typed turns the guides.
    await page.waitForFunction(() => [...document.querySelectorAll('.canvas > img')].every((img) => img.hidden || img.complete && img.naturalWidth > 0));
    await page.keyboard.press('b');
    await page.waitForSelector('#crop-overlay polygon.crop-box');
    const boxBefore = (await page.inputValue('#crop-input'));
    const handle = await page.locator('#crop-overlay circle[data-corner="2"]').boundingBox();
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(handle.x - 60, handle.y - 80, { steps: 4 });
    await page.mouse.up();
    const boxAfter = (await page.inputValue('#crop-input')).split(',').map(Number);
    assert.equal(boxAfter.length, 4, `crop field ${boxAfter}`);
    assert.notEqual(boxAfter.join(','), boxBefore, 'dragging a corner changes the crop box');
    const guideSlope = () => page.$eval('#crop-overlay line.guide', (line) => (line.y2.baseVal.value - line.y1.baseVal.value) / (line.x2.baseVal.value - line.x1.baseVal.value));
    const slopeBefore = await guideSlope();
    await page.fill('#skew-input', '3');
    await page.waitForFunction((before) => {
      const line = document.querySelector('#crop-overlay line.guide');
      return Math.abs((line.y2.baseVal.value - line.y1.baseVal.value) / (line.x2.baseVal.value - line.x1.baseVal.value) - before) > 0.02;
    }, slopeBefore);
    await page.screenshot({ path: join(shots, 'review-crop.png') });
    await page.locator('#skew-input').blur();
    await page.keyboard.press('b');
    await page.waitForSelector('#crop-overlay', { state: 'hidden' });

    // The blank page: accept its finding with a reason.
    await page.click('#code-filters button:has-text("qc.resolution.low")');  // filter off
    await page.click('#code-filters button:has-text("qc.blank")');
    await page.waitForSelector('#code-filters button.active:has-text("qc.blank")');
    await page.waitForSelector(`#item-file:has-text("${blank.file.split('/').pop()}")`);
    await page.waitForSelector('#viewer-processed img[src*="image/processed"]');
    await page.click('button[data-accept="qc.blank"]');
    await page.fill('#reason-text', '空白页为原件背面 blank back of a leaf');
    await page.click('#reason-ok');
    await page.waitForSelector('#findings .overridden:has-text("wang")');
    await page.waitForSelector('#history li:has-text("接受发现")');

    // An inspector accepts the duplicate page; it counts only once the supervisor signs it off.
    const inspectorContext = await browser.newContext({ viewport: { width: 1600, height: 960 }, locale: 'zh-CN' });
    const inspector = await inspectorContext.newPage();
    inspector.on('pageerror', (error) => problems.push(`inspector: ${error.message}`));
    await inspector.goto(url);
    await inspector.fill('#login-name', 'li');
    await inspector.fill('#login-password', password);
    await inspector.click('#login-form button[type=submit]');
    await inspector.waitForSelector('#who:has-text("li")');
    await inspector.click('#code-filters button:has-text("qc.duplicate")');
    await inspector.waitForSelector('#code-filters button.active:has-text("qc.duplicate")');
    await inspector.waitForSelector(`#item-file:has-text("${duplicate.file.split('/').pop()}")`);
    await inspector.click('button[data-accept="qc.duplicate"]');
    await inspector.fill('#reason-text', '原件两页内容相同 the leaves are the same in the original');
    await inspector.click('#reason-ok');
    await inspector.waitForSelector('#findings .overridden:has-text("待签核")');
    assert.equal(await inspector.locator('#findings button:has-text("签核")').count(), 0, 'an inspector cannot sign off');
    await inspectorContext.close();

    await page.click('#code-filters button:has-text("qc.blank")');  // filter off
    await page.click('#code-filters button:has-text("qc.duplicate")');
    await page.waitForSelector('#code-filters button.active:has-text("qc.duplicate")');
    await page.waitForSelector(`#item-file:has-text("${duplicate.file.split('/').pop()}")`);
    await page.click('#findings button:has-text("签核")');
    await page.click('#reason-presets button >> nth=0');
    await page.click('#reason-ok');
    await page.waitForSelector('#findings .overridden:has-text("wang")');
    await page.waitForSelector('#history li:has-text("签核")');

    // Deep zoom: past the largest reduced copy the page loads tiles at full resolution.
    await page.waitForFunction(() => [...document.querySelectorAll('.canvas > img')].every((img) => img.hidden || img.complete && img.naturalWidth > 0));
    for (let i = 0; i < 9; ++i) await page.click('#zoom-in');
    await page.waitForSelector('#zoom-level:has-text("原始分辨率")');
    await page.waitForFunction(() => {
      const tiles = [...document.querySelectorAll('#viewer-original .tiles img')];
      return tiles.length > 0 && tiles.length <= 30 && tiles.every((tile) => tile.complete && tile.naturalWidth > 0 && tile.naturalWidth <= 512);
    });
    assert.ok(await page.$eval('#viewer-original .tiles img', (tile) => tile.getAttribute('src').includes('/tile/original?z=')));
    await page.screenshot({ path: join(shots, 'review-full-resolution.png') });
    await page.click('#zoom-fit');
    await page.click('#code-filters button:has-text("qc.duplicate")');  // filter off

    // A record with a page missing is sent back to the scanning contractor, with a reason.
    await page.click('#queues button:has-text("扣留案卷")');
    await page.click(`#queue-list li:has-text("${missingPage}")`);
    await page.waitForSelector(`#record-view h1:has-text("${missingPage}")`);
    await page.click('#record-view button:has-text("退回")');
    await page.click('#reason-presets button >> nth=0');
    await page.click('#reason-ok');
    await page.waitForSelector('#record-view .history li:has-text("退回")');
    await page.click('#queues button:has-text("待审页")');  // unfiltered

    // The whole review queue with the blank page open, for the design to be judged.
    await page.waitForFunction(() => document.querySelectorAll('#queue-list li').length > 3);
    await page.click('#queue-list li:has-text("qc.blank")');
    await page.waitForSelector(`#item-file:has-text("${blank.file.split('/').pop()}")`);
    await page.waitForFunction(() => [...document.querySelectorAll('.canvas img')].every((img) => img.hidden || img.complete && img.naturalWidth > 0));
    await page.screenshot({ path: join(shots, 'review-page.png') });
    await page.click('#queues button:has-text("扣留案卷")');
    await page.waitForSelector('#record-view h1');
    await page.screenshot({ path: join(shots, 'review-records.png') });

    // The acceptance sample, the fourth queue: each sampled record with its pages and catalogue entry.
    await page.keyboard.press('4');
    await page.waitForSelector('#sample-panel .check-item');
    assert.equal(await page.locator('#queue-list li').count(), sampled.length);
    assert.match(await page.textContent('#sample-panel .sample-record'), new RegExp(sampled[0]));
    await page.waitForSelector('#sample-panel .catalogue dt:has-text("题名")');
    await page.waitForSelector('#viewer-processed img[src*="image/processed"]');
    const figure = (item) => page.textContent(`#sample-tallies [data-item="${item}"] .figure`);
    const defects = async () => Number((await page.textContent('#sample-tallies .tally:last-child .figure')).trim());
    assert.match(await figure('inspector.entry_images'), /✓ 0 ✗ 0 · 已检 0\//);
    const defectsBefore = await defects();

    // Pass the catalogue entry ↔ images: the running tally follows.
    await page.click('button[data-pass="inspector.entry_images"]');
    await page.waitForFunction(() => document.querySelector('#sample-tallies [data-item="inspector.entry_images"] .figure')?.textContent.includes('✓ 1'));
    await page.waitForSelector('.check-item.pass[data-item="inspector.entry_images"] .by:has-text("wang")');
    // A fail needs a note: refused on the page, nothing recorded; with the note it counts.
    await page.click('button[data-fail="inspector.image_quality"]');
    await page.waitForSelector('.check-item[data-item="inspector.image_quality"] .error:has-text("须写明")');
    assert.match(await figure('inspector.image_quality'), /✗ 0/);
    await page.fill('.check-item[data-item="inspector.image_quality"] .note', '第2页右侧裁切，缺页码');
    await page.click('button[data-fail="inspector.image_quality"]');
    await page.waitForFunction(() => document.querySelector('#sample-tallies [data-item="inspector.image_quality"] .figure')?.textContent.includes('✗ 1'));
    await page.waitForSelector('.check-item.fail[data-item="inspector.image_quality"] .by:has-text("第2页右侧裁切")');
    await page.waitForSelector('#queue-list li.selected .codes .r:has-text("图像质量")');
    assert.equal(await defects(), defectsBefore + 1, 'the failed check is a defect');
    // The sample lot withholds records for its planted faults, so the machine items fail the lot.
    assert.match(await page.textContent('#sample-verdict'), /不合格/);
    await page.keyboard.press(']');
    if ((await page.locator('#sample-pages button').count()) > 1)
      await page.waitForSelector('#sample-pages button.current:has-text("0002")');
    await page.waitForFunction(() => [...document.querySelectorAll('.canvas img')].every((img) => img.hidden || img.complete && img.naturalWidth > 0));
    await page.screenshot({ path: join(shots, 'review-sample.png') });

    // The supervisor signs the verdict off, and writes the reports; the links serve them.
    await page.click('#sample-sign-off');
    await page.fill('#reason-text', '不合格，退回整改');
    await page.click('#reason-ok');
    await page.waitForSelector('#sample-signed:has-text("wang")');
    await page.click('#sample-report');
    await page.waitForFunction(() => document.querySelectorAll('.sample-reports a.report').length === 4);
    const links = await page.$$eval('.sample-reports a.report', (as) => as.map((a) => a.getAttribute('href')));
    for (const link of links) {
      const answer = await page.evaluate(async (url) => {
        const response = await fetch(url);
        return { status: response.status, type: response.headers.get('content-type'), head: (await response.text()).slice(0, 5) };
      }, link);
      assert.equal(answer.status, 200, link);
      assert.equal(answer.head.startsWith('%PDF-') || answer.head.startsWith('{'), true, link);
    }
    assert.deepEqual(problems, [], `the page reported errors: ${problems.join('; ')}`);
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }

  const run = spawnSync(bin, ['run', '--profile', profile, '--in', join(root, 'lot', 'scans'),
    '--catalog', join(root, 'lot', 'catalogue.csv'), '--out', work, '--fonds', 'J012', '--unit', '示例市档案馆', '--jobs', '2',
    '--virus-db', process.env.LANTAI_TEST_VIRUS_DB],
  { encoding: 'utf8', env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const after = Object.fromEntries(csv(join(work, 'reports', 'records.csv')).map((r) => [r.record, r.status]));
  assert.equal(after[blank.record], 'deposited', `record ${blank.record} freed by the acceptance is deposited`);
  const turned = csv(join(work, 'reports', 'pages.csv')).find((p) => p.file === lowResolution.file);
  assert.equal(turned.orientation_source, 'manual');
  assert.equal(Number(turned.orientation_deg), 90);
  const deposit = join(work, 'deposit');
  const bag = execFileSync('ls', [deposit], { encoding: 'utf8' }).trim().split('\n').find((name) => !name.endsWith('.partial'));
  const trail = JSON.parse(readFileSync(join(deposit, bag, 'metadata', 'review-decisions.json'), 'utf8'));
  assert.ok(trail.decisions.some((d) => d.action === 'accept' && d.code === 'qc.blank' && d.by === 'wang'));
  assert.ok(trail.decisions.some((d) => d.action === 'rotate' && d.after['orient.rotation_deg'] === 90 && d.reason));
  const accepted = trail.decisions.find((d) => d.action === 'accept' && d.code === 'qc.duplicate' && d.by === 'li');
  assert.ok(accepted, 'the inspector\'s acceptance is on record');
  assert.ok(trail.decisions.some((d) => d.action === 'sign_off' && d.signs === accepted.id && d.by === 'wang'));
  assert.ok(trail.decisions.some((d) => d.action === 'send_back' && d.record === missingPage && d.reason));
  assert.equal(after[duplicate.record], 'deposited', `record ${duplicate.record} freed by the signed-off acceptance is deposited`);
  assert.equal(after[missingPage], 'withheld', `record ${missingPage} sent back stays out of the deposit`);
  const report = JSON.parse(readFileSync(join(deposit, bag, 'metadata', 'acceptance', 'acceptance-1.json'), 'utf8'));
  assert.ok(report.checks.some((c) => c.record_ref === sampled[0] && c.item === 'inspector.image_quality' &&
    c.result === 'fail' && c.checked_by === 'wang' && c.note === '第2页右侧裁切，缺页码'));
  assert.ok(report.sign_offs.some((o) => o.signed_by === 'wang' && o.stands));
  assert.ok(existsSync(join(deposit, bag, 'metadata', 'acceptance', 'corrective-action-1.pdf')));
  assert.ok(existsSync(join(shots, 'review-page.png')));
  rmSync(root, { recursive: true, force: true });
  console.log(`review page in chromium: ok; screenshots in ${shots}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
