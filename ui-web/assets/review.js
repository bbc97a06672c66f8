// 兰台 review page: the queue, one page or record, and decisions, over the JSON API of
// docs/review-api.md. No framework and nothing fetched from elsewhere.
'use strict';

const state = {
  user: null, role: null, csrf: null,
  queue: 'review', order: 'lot', code: '', record: '',
  entries: [],        // what the list shows
  selected: -1,
  item: null,         // the open page, as GET /api/items/<id> gives it
  recordDetail: null, // the open record
  sampledRef: null,   // the sampled record open in the sample queue
  counts: null,       // the batch's counts, as the last GET /api/queue gave them
  sample: null,       // the acceptance sample, as GET /api/sample gives it
  view: { scale: 0, x: 0, y: 0 },  // scale 0: fit
};

// The queues the switcher offers; the acceptance sample (抽检) has its own fetch, and its
// count (records still to check) is known once it has been loaded.
const QUEUES = [
  { id: 'review', label: '待审页', en: 'Pages', count: (c) => c.quarantined + c.flagged },
  { id: 'all', label: '全部页', en: 'All', count: (c) => c.pages },
  { id: 'records', label: '扣留案卷', en: 'Records', count: (c) => c.records_withheld },
  { id: 'sample', label: '抽检', en: 'Sample', count: () => (state.sample ? state.sample.records.filter((r) => Object.keys(r.checks).length < inspectorItems().length).length : '') },
];

const CODE_NAMES = {
  'qc.blank': '空白页', 'qc.resolution.low': '分辨率低', 'qc.duplicate': '重复页', 'qc.blur': '模糊',
  'qc.dark': '过暗', 'qc.dark_border': '黑边', 'qc.colour_mode': '色彩模式', 'qc.page_size': '幅面',
  'decode.truncated': '文件截断', 'decode.corrupt': '文件损坏', 'decode.unreadable': '无法读取',
  'orient.uncertain': '方向不确定', 'deskew.low_confidence': '纠偏不确定', 'ocr.low_confidence': 'OCR 置信度低',
  'link.missing_page': '缺页', 'link.extra_page': '多页', 'link.orphan_folder': '无目录条目',
  'link.missing_record': '无扫描件', 'stitch.failed': '拼接失败', 'cleanup': '去污', 'stitch': '拼接',
  'review.awaiting_rescan': '待重扫', 'review.sent_back': '已退回', 'crop.would_cut_content': '裁切会切内容',
};
const STATUS_NAMES = {
  quarantined: '隔离 Quarantined', flagged: '待看 Flagged', accepted: '通过 Accepted',
  withheld: '扣留 Withheld', deposited: '已入库 Deposited',
};
const ACTION_NAMES = {
  accept: '接受发现', rotate: '旋转', skew: '纠偏角', crop: '裁切框', rescan: '要求重扫',
  sign_off: '签核', record_accept: '整卷接受', send_back: '退回',
};

const $ = (id) => document.getElementById(id);
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}
const codeLabel = (code) => (CODE_NAMES[code] ? `${code} ${CODE_NAMES[code]}` : code);
// Item ids hold '/' and '#': one percent-encoded path segment each.
const itemPath = (id) => `/api/items/${encodeURIComponent(id)}`;
const recordPath = (ref) => `/api/records/${encodeURIComponent(ref)}`;

function toast(message, bad = false) {
  const node = $('toast');
  node.textContent = message;
  node.className = `toast show${bad ? ' bad' : ''}`;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.className = 'toast'; }, 3200);
}

async function api(method, path, body) {
  const options = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') {
    options.headers['Content-Type'] = 'application/json';
    if (state.csrf) options.headers['X-CSRF-Token'] = state.csrf;
    options.body = JSON.stringify(body || {});
  }
  const response = await fetch(path, options);
  let data = {};
  try { data = await response.json(); } catch (e) { /* not JSON: an image or an empty body */ }
  if (response.status === 401 && path !== '/api/login') { showLogin(); throw new Error(data.error || '请登录'); }
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

// Answers can come back out of order (a click in the list, then a filter that opens its
// first entry): only the answer to the latest request of each kind is shown; an earlier
// one arriving late gives null and its caller stops.
const asked = { list: 0, view: 0 };
async function latest(kind, path) {
  const ticket = ++asked[kind];
  const answer = await api('GET', path);
  return ticket === asked[kind] ? answer : null;
}

// ── Session ───────────────────────────────────────────────────────────────────────
function showLogin() {
  $('app').hidden = true;
  $('login').hidden = false;
  $('login-name').focus();
}

async function start() {
  try {
    const session = await api('GET', '/api/session');
    enter(session);
  } catch (e) {
    showLogin();
  }
}

function enter(session) {
  state.user = session.user;
  state.role = session.role;
  state.csrf = session.csrf;
  $('login').hidden = true;
  $('app').hidden = false;
  $('who').replaceChildren(el('b', {}, session.user), ` · ${session.role === 'supervisor' ? '审核主管 supervisor' : '质检员 inspector'}`);
  if (session.batch) {
    const b = session.batch;
    $('batch').replaceChildren('全宗 ', el('b', {}, b.fonds_code || '—'), ` · ${b.unit_name || ''} · `, el('b', {}, b.batch_id || ''));
  }
  loadQueue();
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  try {
    const session = await api('POST', '/api/login', { name: $('login-name').value, password: $('login-password').value });
    $('login-password').value = '';
    const full = await api('GET', '/api/session');
    enter({ ...session, batch: full.batch });
  } catch (e) {
    $('login-error').textContent = e.message;
  }
});

$('logout').addEventListener('click', async () => {
  try { await api('POST', '/api/logout'); } catch (e) { /* gone already */ }
  state.csrf = null;
  showLogin();
});

// ── The queue ─────────────────────────────────────────────────────────────────────
async function loadQueue(keepSelection = false) {
  if (state.queue === 'sample') return loadSample(keepSelection);
  $('queue-tools').hidden = false;
  $('code-filters').hidden = false;
  const params = new URLSearchParams({ queue: state.queue, order: state.order });
  if (state.code) params.set('code', state.code);
  if (state.record) params.set('record', state.record);
  const fresh = state.selected < 0;  // decided now: a click meanwhile was in the old list
  const data = await latest('list', `/api/queue?${params}`);
  if (!data) return;
  const counts = data.counts;
  state.counts = counts;
  renderCounts(counts);
  renderQueues(counts);
  renderFilters(counts, data);
  const previous = keepSelection && state.entries[state.selected];
  state.entries = state.queue === 'records'
    ? data.records.map((r) => ({ kind: 'record', key: r.ref, data: r }))
    : data.items.map((i) => ({ kind: 'item', key: i.id, data: i }));
  renderList();
  if (previous) {
    highlight(state.entries.findIndex((e) => e.key === previous.key));  // it may have left the queue
  } else if (state.entries.length && fresh) {
    select(0);
  }
}

function renderCounts(c) {
  $('counts').replaceChildren(
    el('span', { class: 'count reject' }, '隔离', el('b', {}, c.quarantined)),
    el('span', { class: 'count warn' }, '待看', el('b', {}, c.flagged)),
    el('span', { class: 'count reject' }, '扣留案卷', el('b', {}, c.records_withheld)),
    el('span', { class: 'count' }, '待签核', el('b', {}, c.awaiting_sign_off)),
  );
}

function renderQueues(counts) {
  $('queues').replaceChildren(...QUEUES.map((q, index) => el('button', {
    class: q.id === state.queue ? 'active' : '',
    title: `${q.en} (${index + 1})`,
    onclick: () => switchQueue(q.id),
  }, el('span', { class: 'zh' }, q.label), el('span', { class: 'en' }, q.en, el('span', { class: 'n' }, q.count(counts))))));
}

function switchQueue(id) {
  state.queue = id;
  state.code = '';
  state.selected = -1;
  loadQueue();
}

function renderFilters(counts, data) {
  const codes = Object.entries(state.queue === 'records' ? counts.records_by_code : counts.by_code).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  $('code-filters').replaceChildren(...codes.map(([code, n]) => el('button', {
    class: `chip${state.code === code ? ' active' : ''}`,
    title: CODE_NAMES[code] || code,
    onclick: () => { state.code = state.code === code ? '' : code; state.selected = -1; loadQueue(); },
  }, code, el('span', { class: 'n' }, n))));
  const select = $('record-filter');
  const refs = Object.keys(counts.by_record).sort();
  for (const r of data.records) if (!refs.includes(r.ref)) refs.push(r.ref);
  select.replaceChildren(el('option', { value: '' }, '全部案卷 All records'),
    ...refs.map((ref) => el('option', { value: ref, selected: ref === state.record ? 'selected' : null }, ref)));
  $('order').value = state.order;
}

function renderList() {
  const list = $('queue-list');
  list.replaceChildren(...state.entries.map((entry, index) => {
    if (entry.kind === 'sampled') {
      const r = entry.data;
      return el('li', { 'data-index': index, onclick: () => select(index) },
        el('span', { class: `dot ${r.result}` }),
        el('span', { class: 'ref', title: r.title }, r.ref),
        el('span', { class: 'seq' }, `${r.pages} 页`),
        el('span', { class: 'codes' }, ...sampleMarks(r)));
    }
    if (entry.kind === 'record') {
      const r = entry.data;
      return el('li', { 'data-index': index, onclick: () => select(index) },
        el('span', { class: 'dot withheld' }),
        el('span', { class: 'ref', title: r.title }, r.ref),
        el('span', { class: 'seq' }, `${r.pages_found}${r.catalog_pages !== null ? '/' + r.catalog_pages : ''} 页`),
        el('span', { class: 'codes' }, r.decided ? el('span', { class: 'decided' }, `${ACTION_NAMES[r.decided]} · `) : null,
          r.reasons.map((c) => codeLabel(c)).join(' · ') || r.title));
    }
    const i = entry.data;
    const codes = el('span', { class: 'codes' });
    if (i.last_decision) codes.append(el('span', { class: 'decided' }, `✓ ${ACTION_NAMES[i.last_decision.action] || i.last_decision.action} · `));
    i.reasons.forEach((code, n) => {
      if (n) codes.append(' · ');
      const accepted = i.accepted.includes(code);
      codes.append(el('span', { class: accepted ? 'decided' : i.status === 'quarantined' ? 'r' : '' },
        `${accepted ? '✓ ' : ''}${codeLabel(code)}`));
    });
    if (!i.reasons.length && state.order === 'deviation' && i.deviation.measure)
      codes.append(`${i.deviation.measure} ${fmt(i.deviation.value)} (中位 ${fmt(i.deviation.median)})`);
    return el('li', { 'data-index': index, onclick: () => select(index) },
      el('span', { class: `dot ${i.status}` }),
      el('span', { class: 'ref' }, `${i.record}`),
      el('span', { class: 'seq' }, state.order === 'deviation' ? `σ ${i.deviation.score}` : `第 ${i.seq} 页`),
      codes);
  }));
  $('queue-footer').textContent = `${state.entries.length} 项 items · J/K 上下 · ? 快捷键`;
  if (!state.entries.length) showEmpty('此队列已清空 · Nothing left in this queue');
}

function showEmpty(message) {
  $('empty').hidden = false;
  $('empty').textContent = message;
  for (const id of ['item-view', 'record-view', 'details', 'sample-bar', 'sample-panel']) $(id).hidden = true;
}

function fmt(value) {
  if (typeof value !== 'number') return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : String(Math.round(value * 1000) / 1000);
}

function highlight(index, scroll = false) {
  state.selected = index;
  for (const li of $('queue-list').children) li.classList.toggle('selected', Number(li.dataset.index) === index);
  const li = $('queue-list').children[index];
  if (scroll && li) li.scrollIntoView({ block: 'nearest' });
}

function select(index, scroll = true) {
  if (index < 0 || index >= state.entries.length) return;
  highlight(index, scroll);
  const entry = state.entries[index];
  if (entry.kind === 'record') openRecord(entry.key);
  else if (entry.kind === 'sampled') openSampled(entry.key);
  else openItem(entry.key);
}

$('order').addEventListener('change', () => { state.order = $('order').value; state.selected = -1; loadQueue(); });
$('record-filter').addEventListener('change', () => { state.record = $('record-filter').value; state.selected = -1; loadQueue(); });

// ── One page ──────────────────────────────────────────────────────────────────────
async function openItem(id) {
  const item = await latest('view', itemPath(id));
  if (!item) return;
  state.recordDetail = null;
  showPage(item);
  $('sample-bar').hidden = true;
  $('sample-panel').hidden = true;
  $('details').hidden = false;
  $('actions').hidden = false;
  renderFindings(item);
  renderPending(item);
  renderRecordPages(item.record_pages, item.id);
  renderCatalogue($('catalogue'), item.catalogue);
  $('ocr-text').textContent = item.ocr_text || '（无文字 no text）';
  renderMeasurements(item.measurements);
  renderHistory(item.decisions);
  // Only the corrections a stage of this kind's chain applies: none for a photo or a recording.
  for (const node of document.querySelectorAll('[data-correction]')) node.hidden = !item.corrections[node.dataset.correction];
  $('no-corrections').hidden = Object.values(item.corrections).some(Boolean);
  $('skew-input').value = item.manual['deskew.skew_deg'] ?? (item.measurements.skew_deg !== undefined ? fmt(item.measurements.skew_deg) : '');
  // The measured box is in the page as turned by the last run: not offered under a new turn.
  const newTurn = item.manual['orient.rotation_deg'] !== undefined && Number(item.manual['orient.rotation_deg']) !== Number(item.measurements.orientation_deg || 0);
  $('crop-input').value = item.manual['deskew.crop_box'] ?? (newTurn ? '' : item.measurements.crop_box || '');
}

// The page's head and its two images, in the review queues and the sample alike.
function showPage(item) {
  state.item = item;
  $('empty').hidden = true;
  $('record-view').hidden = true;
  $('item-view').hidden = false;
  const status = $('item-status');
  status.className = `badge ${item.status}`;
  status.textContent = STATUS_NAMES[item.status] || item.status;
  $('item-ref').textContent = `${item.record} · 第 ${item.seq} 页`;
  $('item-file').textContent = item.frame ? `${item.file} (帧 ${item.frame})` : item.file;
  showImages(item);
}

function renderFindings(item) {
  const table = $('findings');
  const rows = item.findings.map((f) => {
    const overridden = f.overridden_by !== '';
    const accepted = f.accepted !== '';
    const pending = item.awaiting_sign_off.find((d) => d.code === f.code);
    const canAccept = !overridden && !accepted && !pending && f.severity !== 'info' &&
      f.code !== 'internal.exception' && f.scope !== 'batch' && !f.code.startsWith('review.');
    const measure = f.value !== '' ? `值 ${f.value}${f.threshold !== '' ? ` · 阈值 ${f.threshold}` : ''}` : '';
    return el('tr', { class: overridden || accepted ? 'is-overridden' : '', title: f.meaning },
      el('td', {},
        el('div', {}, el('span', { class: `sev ${f.severity}` }, f.severity), ' ', el('span', { class: 'code' }, f.code),
          CODE_NAMES[f.code] ? el('span', { class: 'muted' }, ` ${CODE_NAMES[f.code]}`) : null),
        measure ? el('div', { class: 'measure' }, measure) : null,
        el('div', { class: 'message' }, f.message),
        overridden ? el('div', { class: 'overridden' }, `已接受 overridden — ${f.overridden_by}`) : null,
        accepted ? el('div', { class: 'overridden' }, `已接受，下次运行生效 accepted, applied by the next run — ${f.accepted}`) : null,
        pending ? el('div', { class: 'overridden' }, `待签核 awaiting sign-off — #${pending.id} ${pending.by}`) : null),
      el('td', { class: 'act' },
        canAccept ? el('button', { 'data-accept': f.code, onclick: () => acceptFinding(f) }, '接受 Accept') : null,
        pending && state.role === 'supervisor' ? el('button', { class: 'primary', onclick: () => signOff(pending) }, '签核 Sign off') : null));
  });
  table.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { class: 'muted' }, '无发现 No findings'))]));
}

function renderPending(item) {
  const parts = [];
  const turn = item.manual['orient.rotation_deg'];
  if (turn !== undefined) parts.push(`旋转 ${turn}°`);
  if (item.manual['deskew.skew_deg'] !== undefined) parts.push(`纠偏 ${item.manual['deskew.skew_deg']}°`);
  if (item.manual['deskew.crop_box'] !== undefined) parts.push(`裁切 ${item.manual['deskew.crop_box']}`);
  $('pending').textContent = parts.length ? `人工值 Manual: ${parts.join(' · ')}（下次运行应用 applied by the next run）` : '';
}

function renderRecordPages(pages, currentId) {
  $('record-pages').replaceChildren(...pages.map((p) => el('button', {
    class: `${p.status}${p.id === currentId ? ' current' : ''}`,
    title: `${p.file || ''} ${p.reasons.join(' ')}`,
    onclick: () => openItem(p.id),
  }, String(p.seq).padStart(4, '0'))));
}

function renderCatalogue(node, catalogue) {
  if (!catalogue) { node.replaceChildren(el('dd', { class: 'muted' }, '无目录条目 No catalogue entry')); return; }
  node.replaceChildren(...catalogue.fields.flatMap((f) => [el('dt', {}, f.name), el('dd', {}, f.value || '—')]));
}

function renderMeasurements(measurements) {
  const keys = Object.keys(measurements).filter((k) => k !== 'fingerprint').sort();
  $('measurements').replaceChildren(...keys.flatMap((k) => [el('dt', {}, k), el('dd', {}, fmt(measurements[k]))]));
}

function renderHistory(decisions) {
  const node = $('history');
  if (!decisions.length) { node.replaceChildren(el('li', { class: 'muted' }, '尚无决定 None yet')); return; }
  node.replaceChildren(...decisions.slice().reverse().map((d) => el('li', {},
    el('span', { class: 'what' }, `#${d.id} ${ACTION_NAMES[d.action] || d.action}${d.code ? ' ' + d.code : ''}`),
    ` — ${d.by} (${d.role})`, d.reason ? `：${d.reason}` : '',
    el('div', { class: 'when' }, `${d.at} · 前 ${JSON.stringify(d.before)} → 后 ${JSON.stringify(d.after)}`))));
}

// ── Images: reduced copies from the server, zoom and pan kept in step ──────────────
const PROCESSED_CAPTIONS = {
  derivative: '处理后 Processed', photo_access: '利用副本 Access copy',
  contact_sheet: '联系表 Contact sheet', waveform: '波形 Waveform',
};

// Past the reduced copy's own resolution a pane switches to tiles of the image at full
// resolution (GET …/tiles/<variant> for the grid, …/tile/<variant>?z=&x=&y= for each),
// only those in sight and at the level the zoom needs, laid over the copy as they come.
const tiling = { original: null, processed: null };  // per pane: { variant, grid, asked, layer }

function resetTiles(pane) {
  const canvas = $(pane).querySelector('.canvas');
  canvas.querySelector('.tiles')?.remove();
  tiling[pane === 'viewer-original' ? 'original' : 'processed'] = null;
}

function tileState(pane, variant) {
  const key = pane === 'viewer-original' ? 'original' : 'processed';
  let t = tiling[key];
  if (!t || t.variant !== variant || t.item !== state.item.id) {
    resetTiles(pane);
    const layer = el('div', { class: 'tiles' });
    $(pane).querySelector('.canvas').append(layer);
    t = tiling[key] = { variant, item: state.item.id, grid: null, asked: false, layer };
  }
  return t;
}

// Shows the tiles a pane needs at screen-px-per-image-px ratio, origin (x, y) on screen;
// returns that ratio against full resolution, or 0 while the reduced copy serves.
function updateTiles(pane, img, canvas, scale, x, y) {
  if (!state.item || scale <= 1.0) { canvas.querySelector('.tiles')?.replaceChildren(); return 0; }
  const t = tileState(pane, img.dataset.variant);
  if (!t.grid) {
    if (!t.asked) {
      t.asked = true;
      const item = state.item.id;
      api('GET', `${itemPath(item)}/tiles/${t.variant}`).then((grid) => {
        if (state.item && state.item.id === item && tiling[pane === 'viewer-original' ? 'original' : 'processed'] === t) {
          t.grid = grid;
          applyView();
        }
      }).catch(() => { /* no full resolution: the copy serves */ });
    }
    return 0;
  }
  const g = t.grid;
  if (g.width <= img.naturalWidth) return 0;  // the copy is the full resolution already
  const ratio = scale * img.naturalWidth / g.width;  // screen px per full-resolution px
  const z = Math.min(g.levels - 1, Math.max(0, Math.floor(Math.log2(1 / ratio))));
  const span = g.tile * 2 ** z;  // full-resolution px a tile covers
  t.layer.style.transform = `translate(${x}px, ${y}px) scale(${ratio})`;
  const first = (screen, origin) => Math.max(0, Math.floor((screen - origin) / ratio / span));
  const x0 = first(0, x), y0 = first(0, y);
  const x1 = Math.min(Math.ceil(g.width / span) - 1, Math.floor((canvas.clientWidth - x) / ratio / span));
  const y1 = Math.min(Math.ceil(g.height / span) - 1, Math.floor((canvas.clientHeight - y) / ratio / span));
  const wanted = new Map();
  for (let ty = y0; ty <= y1; ++ty) for (let tx = x0; tx <= x1; ++tx) wanted.set(`${z}/${tx}/${ty}`, [tx, ty]);
  for (const tile of [...t.layer.children]) if (!wanted.has(tile.dataset.key)) tile.remove();
  const present = new Set([...t.layer.children].map((tile) => tile.dataset.key));
  for (const [key, [tx, ty]] of wanted) {
    if (present.has(key)) continue;
    const left = tx * span, top = ty * span;
    const tile = el('img', { 'data-key': key, draggable: 'false', alt: '', src: `${itemPath(state.item.id)}/tile/${t.variant}?z=${z}&x=${tx}&y=${ty}` });
    Object.assign(tile.style, { left: `${left}px`, top: `${top}px`, width: `${Math.min(span, g.width - left)}px`, height: `${Math.min(span, g.height - top)}px` });
    t.layer.append(tile);
  }
  return ratio;
}

const placed = { original: null, processed: null };  // where applyView put each pane's image

function showImages(item) {
  state.view = { scale: 0, x: 0, y: 0 };
  resetTiles('viewer-original');
  resetTiles('viewer-processed');
  $('caption-processed').textContent = PROCESSED_CAPTIONS[item.images.processed_kind] || PROCESSED_CAPTIONS.derivative;
  $('caption-original').textContent = item.kind === 'av' ? '原件 Recording' : '原图 Original';
  for (const [pane, variant] of [['viewer-original', 'original'], ['viewer-processed', $('show-cleanup').checked ? 'cleanup' : 'processed']]) {
    const canvas = $(pane).querySelector('.canvas');
    const img = canvas.querySelector('img');
    canvas.querySelector('.missing')?.remove();
    const available = item.images[variant];
    img.hidden = !available;
    if (!available) {
      const recording = item.kind === 'av' && variant === 'original';
      canvas.append(el('div', { class: 'missing' }, recording ? '录音录像无原图，见右侧及测量 A recording: see its sheet and measurements' : '无图像 No image'));
      continue;
    }
    img.dataset.variant = variant;
    img.dataset.width = '1600';
    img.onload = () => applyView();
    img.src = `${itemPath(item.id)}/image/${variant}?w=1600`;
  }
}

function fitScale(img, canvas) {
  if (!img.naturalWidth) return 1;
  return Math.min(canvas.clientWidth / img.naturalWidth, canvas.clientHeight / img.naturalHeight) * 0.98;
}

function applyView() {
  const v = state.view;
  let level = '';
  for (const pane of ['viewer-original', 'viewer-processed']) {
    const canvas = $(pane).querySelector('.canvas');
    const img = canvas.querySelector('img');
    if (img.hidden || !img.naturalWidth) continue;
    const fit = fitScale(img, canvas);
    const scale = v.scale === 0 ? fit : fit * v.scale;
    const width = img.naturalWidth * scale, height = img.naturalHeight * scale;
    const x = (canvas.clientWidth - width) / 2 + v.x, y = (canvas.clientHeight - height) / 2 + v.y;
    img.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
    placed[pane === 'viewer-original' ? 'original' : 'processed'] = { x, y, scale };
    const full = updateTiles(pane, img, canvas, scale, x, y);
    level = v.scale === 0 ? '适合' : full ? `${Math.round(full * 100)}% 原始分辨率` : `${Math.round(v.scale * 100)}%`;
    // Past twice the fit, ask for the larger copy the server keeps.
    if (v.scale > 2 && img.dataset.width !== '2400' && state.item) {
      img.dataset.width = '2400';
      img.src = `${itemPath(state.item.id)}/image/${img.dataset.variant}?w=2400`;
    }
  }
  $('zoom-level').textContent = level || '适合';
  drawCropOverlay();
}

function zoom(factor) {
  const v = state.view;
  v.scale = Math.min(16, Math.max(0.25, (v.scale || 1) * factor));
  v.x *= factor; v.y *= factor;
  applyView();
}
function fit() { state.view = { scale: 0, x: 0, y: 0 }; applyView(); }

for (const pane of ['viewer-original', 'viewer-processed']) {
  const canvas = $(pane).querySelector('.canvas');
  canvas.addEventListener('wheel', (event) => { event.preventDefault(); zoom(event.deltaY < 0 ? 1.2 : 1 / 1.2); }, { passive: false });
  canvas.addEventListener('pointerdown', (event) => {
    canvas.setPointerCapture(event.pointerId);
    canvas.classList.add('dragging');
    const start = { x: event.clientX - state.view.x, y: event.clientY - state.view.y };
    const move = (e) => { state.view.x = e.clientX - start.x; state.view.y = e.clientY - start.y; if (!state.view.scale) state.view.scale = 1; applyView(); };
    const up = () => { canvas.classList.remove('dragging'); canvas.removeEventListener('pointermove', move); canvas.removeEventListener('pointerup', up); };
    canvas.addEventListener('pointermove', move);
    canvas.addEventListener('pointerup', up);
  });
}
window.addEventListener('resize', applyView);
$('zoom-in').addEventListener('click', () => zoom(1.25));
$('zoom-out').addEventListener('click', () => zoom(0.8));
$('zoom-fit').addEventListener('click', fit);
$('show-cleanup').addEventListener('change', () => state.item && showImages(state.item));

// ── The crop box on the original, and the skew's preview ──────────────────────────
// The crop box is in px of the straightened page: the scan turned clockwise by the
// orientation (orient), then mapped by the affine the deskew stage recorded
// (measurement straightening). Drawn back onto the original through the inverse, with a
// handle at each corner; the guide lines are the straightened page's horizontals, so
// with the right skew they run along the lines of text. A skew typed but not yet applied
// is previewed by turning about the page's centre.
const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

function turnPoint(turn, W, H, [x, y]) {
  if (turn === 90) return [H - y, x];
  if (turn === 180) return [W - x, H - y];
  if (turn === 270) return [y, W - x];
  return [x, y];
}
function unturnPoint(turn, W, H, [x, y]) {
  if (turn === 90) return [y, H - x];
  if (turn === 180) return [W - x, H - y];
  if (turn === 270) return [W - y, x];
  return [x, y];
}
const affine = (A, [x, y]) => [A[0] * x + A[1] * y + A[2], A[3] * x + A[4] * y + A[5]];
function invertAffine(A) {
  const det = A[0] * A[4] - A[1] * A[3];
  const a = A[4] / det, b = -A[1] / det, d = -A[3] / det, e = A[0] / det;
  return [a, b, -(a * A[2] + b * A[5]), d, e, -(d * A[2] + e * A[5])];
}
const parseBox = (text) => {
  const parts = String(text || '').trim().split(/[ ,]+/).map(Number);
  return parts.length === 4 && parts.every(Number.isFinite) && parts[2] > 0 && parts[3] > 0 ? parts : null;
};

// The page's geometry for the next run: the turn, the straightening (with the skew typed
// in the field, if any) and the straightened page's size; null where nothing is known.
function pageGeometry(item) {
  const m = item.measurements;
  const W = Number(m.width_px), H = Number(m.height_px);
  if (!W || !H || !item.corrections.crop) return null;
  const applied = Number(m.orientation_deg || 0);
  const manualTurn = item.manual['orient.rotation_deg'];
  const turn = manualTurn !== undefined && manualTurn !== '' ? Number(manualTurn) : applied;
  const turned = turn % 180 ? [H, W] : [W, H];
  let A = [1, 0, 0, 0, 1, 0], size = turned;
  const recorded = typeof m.straightening === 'string' && m.straightening.match(/^(\S+) (\d+)x(\d+)$/);
  if (recorded && turn === applied) {
    A = recorded[1].split(',').map(Number);
    size = [Number(recorded[2]), Number(recorded[3])];
  }
  const appliedSkew = Math.atan2(-A[1], A[0]) * 180 / Math.PI;
  const typed = $('skew-input').value.trim();
  const skew = typed === '' || !Number.isFinite(Number(typed)) ? appliedSkew : Number(typed);
  if (Math.abs(skew - appliedSkew) > 1e-6 || !recorded || turn !== applied) {
    // Turned about the scan's centre, which stays where it was (or, on a new turn, lands
    // at the page's centre).
    const c = [turned[0] / 2, turned[1] / 2];
    const [cx, cy] = recorded && turn === applied ? affine(A, c) : [size[0] / 2, size[1] / 2];
    const r = skew * Math.PI / 180, cos = Math.cos(r), sin = Math.sin(r);
    A = [cos, -sin, 0, sin, cos, 0];
    A[2] = cx - (A[0] * c[0] + A[1] * c[1]);
    A[5] = cy - (A[3] * c[0] + A[4] * c[1]);
  }
  const toPage = (p) => affine(A, turnPoint(turn, W, H, p));
  const inverse = invertAffine(A);
  const toScan = (q) => unturnPoint(turn, W, H, affine(inverse, q));
  // The box as typed, kept to the page (a box measured before a new turn may not fit it).
  let box = parseBox($('crop-input').value) || [0, 0, size[0], size[1]];
  const x0 = Math.max(0, Math.min(box[0], size[0])), y0 = Math.max(0, Math.min(box[1], size[1]));
  const x1 = Math.min(size[0], box[0] + box[2]), y1 = Math.min(size[1], box[1] + box[3]);
  box = x1 > x0 && y1 > y0 ? [x0, y0, x1 - x0, y1 - y0] : [0, 0, size[0], size[1]];
  return { W, H, size, toPage, toScan, box };
}

// Where the overlay draws: the page's geometry and the original's px on screen, as
// applyView placed its reduced copy; null when there is nothing to draw.
function overlayPlacement() {
  const img = $('viewer-original').querySelector('.canvas img');
  if (!state.item || !$('show-crop').checked || img.hidden || !img.naturalWidth || !placed.original) return null;
  const geometry = pageGeometry(state.item);
  if (!geometry) return null;
  const { x: tx, y: ty, scale } = placed.original;
  const k = scale * img.naturalWidth / geometry.W;
  return {
    geometry,
    screen: (p) => { const [x, y] = geometry.toScan(p); return [tx + x * k, ty + y * k]; },
    fromScreen: (sx, sy) => geometry.toPage([(sx - tx) / k, (sy - ty) / k]),
  };
}

function drawCropOverlay() {
  const overlay = $('crop-overlay');
  const at = overlayPlacement();
  overlay.toggleAttribute('hidden', !at);  // an SVG element has no hidden property
  if (!at) return;
  if (!overlay.firstChild) buildCropOverlay(overlay);
  const canvas = overlay.parentElement;
  overlay.setAttribute('width', canvas.clientWidth);
  overlay.setAttribute('height', canvas.clientHeight);
  const [pw, ph] = at.geometry.size;
  overlay.querySelectorAll('line.guide').forEach((line, n) => {  // the straightened page's horizontals
    const [x1, y1] = at.screen([0, ph * (n + 1) / 16]), [x2, y2] = at.screen([pw, ph * (n + 1) / 16]);
    Object.entries({ x1, y1, x2, y2 }).forEach(([name, value]) => line.setAttribute(name, value));
  });
  const [bx, by, bw, bh] = at.geometry.box;
  const points = [[bx, by], [bx + bw, by], [bx + bw, by + bh], [bx, by + bh]].map(at.screen);
  overlay.querySelector('.crop-box').setAttribute('points', points.map((p) => p.join(',')).join(' '));
  overlay.querySelectorAll('.handle').forEach((handle, corner) => {
    handle.setAttribute('cx', points[corner][0]);
    handle.setAttribute('cy', points[corner][1]);
  });
}

// The overlay's elements, made once and redrawn in place, so a drag keeps its element.
// Dragging a corner moves it in the straightened page (the box stays square to it);
// dragging inside moves the box. The typed field follows.
function buildCropOverlay(overlay) {
  for (let i = 1; i < 16; ++i) overlay.append(svg('line', { class: 'guide' }));
  const box = svg('polygon', { class: 'crop-box' });
  overlay.append(box);
  const handles = [0, 1, 2, 3].map((corner) => svg('circle', { class: 'handle', r: 7, 'data-corner': corner }));
  overlay.append(...handles);
  const drag = (node, onMove) => node.addEventListener('pointerdown', (event) => {
    const at = overlayPlacement();
    if (!at) return;
    event.stopPropagation();
    event.preventDefault();
    node.setPointerCapture(event.pointerId);
    const origin = overlay.getBoundingClientRect();
    const start = at.fromScreen(event.clientX - origin.left, event.clientY - origin.top);
    const startBox = [...at.geometry.box];
    const move = (e) => {
      const q = at.fromScreen(e.clientX - origin.left, e.clientY - origin.top);
      setCropBox(onMove(startBox, q, start), at.geometry.size);
    };
    const up = () => { node.removeEventListener('pointermove', move); node.removeEventListener('pointerup', up); };
    node.addEventListener('pointermove', move);
    node.addEventListener('pointerup', up);
  });
  handles.forEach((handle, corner) => drag(handle, ([x, y, w, h], [qx, qy]) => {
    let x0 = x, y0 = y, x1 = x + w, y1 = y + h;
    if (corner === 0 || corner === 3) x0 = qx; else x1 = qx;
    if (corner === 0 || corner === 1) y0 = qy; else y1 = qy;
    return [Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0)];
  }));
  drag(box, ([x, y, w, h], [qx, qy], [sx, sy]) => [x + qx - sx, y + qy - sy, w, h]);
}

// A box kept whole inside the straightened page, in whole px, written to the typed field.
function setCropBox([x, y, w, h], [pw, ph]) {
  w = Math.max(16, Math.min(Math.round(w), pw));
  h = Math.max(16, Math.min(Math.round(h), ph));
  x = Math.max(0, Math.min(Math.round(x), pw - w));
  y = Math.max(0, Math.min(Math.round(y), ph - h));
  $('crop-input').value = `${x},${y},${w},${h}`;
  drawCropOverlay();
}

$('show-crop').addEventListener('change', drawCropOverlay);
$('crop-input').addEventListener('input', drawCropOverlay);
$('skew-input').addEventListener('input', drawCropOverlay);
for (const id of ['crop-input', 'skew-input']) $(id).addEventListener('focus', () => {
  if (state.item && state.item.corrections.crop && !$('show-crop').checked) { $('show-crop').checked = true; drawCropOverlay(); }
});

// ── Decisions ─────────────────────────────────────────────────────────────────────
const PRESETS = {
  accept: ['原件如此 The original is so', '空白页为原件背面 Blank back of a leaf', 'OCR 误读，页面无误 OCR misread; the page is right', '已目视核对 Checked by eye'],
  rotate: ['页面方向错误 The page is turned', '方向识别有误 Orientation misread'],
  skew: ['自动纠偏角有误 The measured skew is wrong', '按文字行校正 Set by the lines of text'],
  crop: ['裁切切掉了内容 The crop cut content', '保留边注 Keep the margin notes', '去除扫描黑边 Remove the scanner border'],
  rescan: ['图像模糊 Blurred', '分辨率不足 Resolution too low', '文件损坏 File damaged', '漏扫内容 Content missing'],
  record_accept: ['缺页为原件所缺 The pages are missing in the original', '已与原件核对 Checked against the original'],
  send_back: ['请补扫缺页 Scan the missing pages', '请按目录重新整理 Re-sort by the catalogue'],
};

function askReason(title, detail, presets, required = true) {
  return new Promise((resolve) => {
    const dialog = $('reason-dialog');
    $('reason-title').textContent = title;
    $('reason-detail').textContent = detail;
    $('reason-text').value = '';
    $('reason-presets').replaceChildren(...(presets || []).map((p) => el('button', {
      type: 'button', class: 'chip', onclick: () => { $('reason-text').value = p; $('reason-text').focus(); },
    }, p)));
    dialog.onclose = () => {
      const text = $('reason-text').value.trim();
      if (dialog.returnValue !== 'ok') return resolve(null);
      if (required && !text) { toast('需要理由 A reason is required', true); return resolve(null); }
      resolve(text);
    };
    dialog.returnValue = '';
    dialog.showModal();
    $('reason-text').focus();
  });
}
$('reason-text').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); $('reason-dialog').close('ok'); }
});

async function decide(body, done) {
  try {
    const answer = await api('POST', `${itemPath(state.item.id)}/decision`, body);
    toast(`#${answer.decision.id} ${ACTION_NAMES[answer.decision.action]} — ${answer.message}`);
    await openItem(state.item.id);
    await loadQueue(true);
    if (done) done(answer);
  } catch (e) {
    toast(e.message, true);
  }
}

async function acceptFinding(finding) {
  const who = state.role === 'supervisor' ? '' : '（质检员的接受需主管签核 an inspector\'s acceptance needs a supervisor\'s sign-off）';
  const reason = await askReason(`接受 ${finding.code}`, `${finding.message} ${who}`, PRESETS.accept);
  if (reason === null) return;
  await decide({ action: 'accept', code: finding.code, reason });
}

async function signOff(pending) {
  const reason = await askReason(`签核 #${pending.id} ${pending.code}`, `${pending.by}：${pending.reason}`, ['同意 Agreed']);
  if (reason === null) return;
  await decide({ action: 'sign_off', decision: pending.id, reason });
}

function currentTurn() {
  const manual = state.item.manual['orient.rotation_deg'];
  if (manual !== undefined) return Number(manual);
  return Number(state.item.measurements.orientation_deg || 0);
}
async function rotate(by) {
  if (!state.item || !state.item.corrections.rotate) return;
  const turn = ((currentTurn() + by) % 360 + 360) % 360;
  const reason = await askReason(`旋转至 ${turn}° Turn to ${turn}°`, state.item.file, PRESETS.rotate);
  if (reason === null) return;
  await decide({ action: 'rotate', rotation_deg: turn, reason });
}
$('act-rotate-right').addEventListener('click', () => rotate(90));
$('act-rotate-left').addEventListener('click', () => rotate(-90));
$('act-skew').addEventListener('click', async () => {
  const text = $('skew-input').value.trim();
  const reason = await askReason(`纠偏角 ${text === '' ? '自动 auto' : text + '°'}`, state.item.file, PRESETS.skew);
  if (reason === null) return;
  await decide({ action: 'skew', skew_deg: text === '' ? null : Number(text), reason });
});
$('act-crop').addEventListener('click', async () => {
  const text = $('crop-input').value.trim();
  const box = text === '' ? null : text.split(/[ ,]+/).map(Number);
  const reason = await askReason(`裁切框 ${text === '' ? '自动 auto' : text}`, state.item.file, PRESETS.crop);
  if (reason === null) return;
  await decide({ action: 'crop', crop_box: box, reason });
});
$('act-rescan').addEventListener('click', async () => {
  if (!state.item) return;
  const reason = await askReason('要求重扫 Ask for a rescan', `${state.item.file}：下次运行前请把新文件以同名放入批次 put the new file in the lot under the same name`, PRESETS.rescan);
  if (reason === null) return;
  await decide({ action: 'rescan', reason });
});

// ── One record ────────────────────────────────────────────────────────────────────
async function openRecord(ref) {
  const record = await latest('view', recordPath(ref));
  if (!record) return;
  state.recordDetail = record;
  state.item = null;
  $('empty').hidden = true;
  $('item-view').hidden = true;
  $('details').hidden = true;
  $('sample-bar').hidden = true;
  $('sample-panel').hidden = true;
  const view = $('record-view');
  view.hidden = false;
  const catalogue = el('dl', { class: 'catalogue' });
  renderCatalogue(catalogue, record.catalogue);
  const pages = el('ol', { class: 'page-list' });
  pages.append(...record.pages.map((p) => el('li', {},
    el('button', {
      class: p.status, title: '打开此页 Open the page',
      onclick: () => { state.queue = 'review'; state.record = ref; state.selected = -1; loadQueue().then(() => openItem(p.id)); },
    }, String(p.seq).padStart(4, '0')),
    el('span', { class: `badge ${p.status}` }, STATUS_NAMES[p.status] || p.status),
    el('span', { class: 'codes' }, p.reasons.map(codeLabel).join(' · ')))));
  const findings = el('table', { class: 'findings' }, ...record.findings.map((f) => el('tr', { class: f.overridden_by ? 'is-overridden' : '' },
    el('td', {}, el('div', {}, el('span', { class: `sev ${f.severity}` }, f.severity), ' ', el('span', { class: 'code' }, f.code)),
      f.value !== '' ? el('div', { class: 'measure' }, `值 ${f.value}${f.threshold ? ' · 阈值 ' + f.threshold : ''}`) : null,
      el('div', { class: 'message' }, f.message),
      f.overridden_by ? el('div', { class: 'overridden' }, `已接受 — ${f.overridden_by}`) : null))));
  if (!record.findings.length) findings.append(el('tr', {}, el('td', { class: 'muted' }, '无 None: 见各页 see the pages')));
  const history = el('ol', { class: 'history' }, ...record.decisions.slice().reverse().map((d) =>
    el('li', {}, el('span', { class: 'what' }, `#${d.id} ${ACTION_NAMES[d.action]}`), ` — ${d.by} (${d.role})：${d.reason}`,
      el('div', { class: 'when' }, d.at))));
  if (!record.decisions.length) history.append(el('li', { class: 'muted' }, '尚无决定 None yet'));
  const supervisor = state.role === 'supervisor';
  view.replaceChildren(
    el('h1', {}, `${record.ref}`, ' ', el('span', { class: `badge ${record.deposited ? 'deposited' : 'withheld'}` }, record.deposited ? STATUS_NAMES.deposited : STATUS_NAMES.withheld)),
    el('div', { class: 'muted' }, record.title || ''),
    el('div', { class: 'reasons' }, ...record.reasons.map((c) => el('span', { class: 'chip' }, codeLabel(c)))),
    el('div', { class: 'buttons' },
      el('button', { class: 'primary', disabled: supervisor ? null : 'disabled', title: supervisor ? '' : '仅主管 supervisors only', onclick: () => decideRecord('record_accept') }, '整卷接受 Accept as is'),
      el('button', { class: 'danger', onclick: () => decideRecord('send_back') }, '退回 Send back')),
    el('div', { class: 'grid' },
      el('div', { class: 'box' }, el('h2', {}, '目录条目 Catalogue entry'), catalogue),
      el('div', { class: 'box' }, el('h2', {}, `各页 Pages (${record.pages.length})`), pages,
        el('h2', {}, '案卷发现 Record findings'), findings),
      el('div', { class: 'box' }, el('h2', {}, '决定记录 Decisions'), history)));
}

async function decideRecord(action) {
  const ref = state.recordDetail.ref;
  const reason = await askReason(`${ACTION_NAMES[action]} ${ref}`, state.recordDetail.reasons.join(' · '), PRESETS[action]);
  if (reason === null) return;
  try {
    const answer = await api('POST', `${recordPath(ref)}/decision`, { action, reason });
    toast(`#${answer.decision.id} ${ACTION_NAMES[action]} — ${answer.message}`);
    await openRecord(ref);
    await loadQueue(true);
  } catch (e) {
    toast(e.message, true);
  }
}

// ── The acceptance sample (抽检验收, DA/T 31-2017 12.3) ─────────────────────────────
// Drawn on the command line (lantai sample WORK). Each sampled record is checked here
// against its catalogue entry, item by item; the verdict follows the standard's rules and
// is computed by the server on every change.
const VERDICT_NAMES = { pass: '合格 Pass', fail: '不合格 Fail', pending: '未完成 Pending' };
const RESULT_NAMES = { pass: '合格', fail: '不合格', pending: '待检' };
// Short names where the standard's (目录数据与数字图像对应 …) do not fit; the full name is the title.
const ITEM_SHORT = {
  'inspector.entry_images': '目录与图像对应', 'inspector.catalogue_entry': '著录质量',
  'inspector.image_quality': '图像质量', 'inspector.image_processing': '图像处理',
};
const ITEM_MARK = {
  'inspector.entry_images': '对应', 'inspector.catalogue_entry': '著录',
  'inspector.image_quality': '图像质量', 'inspector.image_processing': '图像处理',
};
const inspectorItems = () => state.sample.items.filter((item) => item.method === 'inspector');
const metText = (tally) => (tally.met === null ? '待定 open' : tally.met ? '达标 met' : '未达标 not met');
const metClass = (met) => (met === null ? 'pending' : met ? 'pass' : 'fail');

function sampleMarks(record) {
  return inspectorItems().flatMap((item, n) => {
    const check = record.checks[item.code];
    const name = ITEM_MARK[item.code] || item.code;
    const mark = !check ? el('span', {}, `· ${name}`)
      : check.passed ? el('span', { class: 'decided' }, `✓ ${name}`) : el('span', { class: 'r' }, `✗ ${name}`);
    return n ? [' ', mark] : [mark];
  });
}

async function loadSample(keepSelection = false) {
  $('queue-tools').hidden = true;
  $('code-filters').hidden = true;
  const previous = keepSelection && state.entries[state.selected];
  const number = keepSelection && state.sample ? state.sample.sample.number : 0;
  const fresh = state.selected < 0;
  try {
    const sample = await latest('list', number ? `/api/sample?sample=${number}` : '/api/sample');
    if (!sample) return;
    state.sample = sample;
  } catch (e) {
    state.sample = null;
    state.entries = [];
    if (state.counts) renderQueues(state.counts);
    renderList();
    showEmpty(`尚未抽样 No sample drawn yet — 在命令行抽样 draw one with: lantai sample WORK --rate 5% --seed N（${e.message}）`);
    return;
  }
  applySample(state.sample);
  if (previous) highlight(state.entries.findIndex((e) => e.key === previous.key));
  else if (state.entries.length && fresh) select(0);
}

// A sample as the server answered it (GET, or after a change): the list, the bar, the panel.
function applySample(sample) {
  state.sample = sample;
  state.entries = sample.records.map((r) => ({ kind: 'sampled', key: r.ref, data: r }));
  if (state.counts) renderQueues(state.counts);
  renderList();
  highlight(state.selected);
  const s = sample.sample;
  $('queue-footer').textContent = `第 ${s.number} 次抽检 · ${s.size}/${s.population} ${s.record_unit} · J/K 上下 · [ ] 翻页 · ? 快捷键`;
  if (state.sampledRef) {
    renderSampleBar();
    renderSamplePanel();
  }
}

async function openSampled(ref, pageId) {
  const record = await latest('view', recordPath(ref));
  if (!record) return;
  state.recordDetail = record;
  state.sampledRef = ref;
  $('details').hidden = true;
  $('record-view').hidden = true;
  $('sample-bar').hidden = false;
  $('sample-panel').hidden = false;
  renderSampleBar();
  renderSamplePanel();
  const first = pageId || (record.pages[0] && record.pages[0].id);
  if (first) {
    await openSampledPage(first);
  } else {
    state.item = null;
    $('item-view').hidden = true;
    $('empty').hidden = false;
    $('empty').textContent = '此件无图像 This record has no pages';
  }
}

async function openSampledPage(id) {
  const item = await latest('view', itemPath(id));
  if (!item) return;
  showPage(item);
  renderSamplePages();
}

function stepSampledPage(by) {
  if (!state.recordDetail || !state.item) return;
  const pages = state.recordDetail.pages;
  const next = pages[pages.findIndex((p) => p.id === state.item.id) + by];
  if (next) openSampledPage(next.id);
}

function renderSampleBar() {
  const s = state.sample;
  const j = s.judgement;
  const machine = j.tallies.filter((t) => t.method === 'machine');
  const machineMet = machine.filter((t) => t.met === true).length;
  const machineFailed = machine.filter((t) => t.met === false).length;
  const cells = [
    el('div', { class: `tally ${machineFailed ? 'fail' : machineMet === machine.length ? 'pass' : 'pending'}`,
      title: machine.map((t) => `${t.name} ${t.item}：${metText(t)}（${t.failed} 件不合格${t.lot_failed ? '，整批' : ''}）`).join('\n') },
    el('div', { class: 'name' }, '机检 Machine'),
    el('div', { class: 'figure' }, `${machineMet}/${machine.length} 达标`, machineFailed ? el('span', { class: 'bad' }, ` · ${machineFailed} 未达标`) : null),
    el('div', { class: 'rule' }, '100% · 全部记录 all')),
    ...j.tallies.filter((t) => t.method === 'inspector').map((t) => el('div', { class: `tally ${metClass(t.met)}`, 'data-item': t.item, title: `${t.name} ${t.item}` },
      el('div', { class: 'name' }, ITEM_SHORT[t.item] || t.name),
      el('div', { class: 'figure' }, el('span', { class: 'ok' }, `✓ ${t.passed}`), ' ', el('span', { class: 'bad' }, `✗ ${t.failed}`),
        el('span', { class: 'of' }, ` · 已检 ${t.checked}/${t.records}`)),
      el('div', { class: 'rule' }, `≥ ${t.required} · ${metText(t)}`))),
    el('div', { class: `tally ${j.defects.length ? 'fail' : 'pass'}` },
      el('div', { class: 'name' }, '缺陷 Defects'),
      el('div', { class: 'figure' }, String(j.defects.length)),
      el('div', { class: 'rule' }, '列入整改意见书')),
  ];
  const standing = s.sign_offs.filter((o) => o.stands);
  let signOff;
  if (standing.length) {
    const last = standing[standing.length - 1];
    signOff = el('span', { class: 'signed', id: 'sample-signed' }, `已签发 Signed off — ${last.by} · ${last.at}`);
  } else if (state.role === 'supervisor') {
    signOff = el('button', {
      id: 'sample-sign-off', class: 'primary', onclick: signOffSample,
      disabled: j.verdict === 'pending' ? 'disabled' : null,
      title: j.verdict === 'pending' ? '结论未完成，不能签发 Nothing to sign while pending' : '签发此结论 Sign the verdict off',
    }, s.sign_offs.length ? '重新签发 Sign off again' : '签发 Sign off');
  } else {
    signOff = el('span', { class: 'muted' }, s.sign_offs.length ? '签发已失效，待主管重新签发 A supervisor signs again' : '由主管签发 A supervisor signs off');
  }
  const reports = s.reports.map((r) => el('a', { class: 'report', href: r.url, download: r.name, title: `SHA-256 ${r.sha256}` },
    `${r.name.startsWith('corrective') ? '整改意见书' : '验收报告'} ${r.name}`));
  const d = s.sample;
  $('sample-bar').replaceChildren(
    el('div', { class: 'sample-head' },
      el('span', { id: 'sample-verdict', class: `verdict ${j.verdict}` }, VERDICT_NAMES[j.verdict]),
      el('span', { class: 'sample-meta' },
        `第 ${d.number} 次抽检 · ${d.size}/${d.population} ${d.record_unit}（${d.rate}）· 种子 ${d.seed} · ${d.drawn_by} ${d.drawn_at.slice(0, 10)}`),
      el('span', { class: 'spacer' }),
      signOff,
      el('button', { id: 'sample-report', onclick: writeSampleReports, title: '验收报告及整改意见书 (PDF + JSON) 写入 WORK/reports' }, '生成报告 Write reports')),
    el('div', { id: 'sample-tallies', class: 'tallies' }, ...cells),
    j.pending.length ? el('div', { class: 'sample-note' }, el('b', {}, '未完成 Pending：'), j.pending.join('；')) : null,
    el('div', { class: 'sample-note sample-reports' }, el('b', {}, '报告 Reports：'),
      ...(reports.length ? reports : [el('span', { class: 'muted' }, '尚未生成 none written yet')])));
}

function renderSamplePanel() {
  const record = state.sample.records.find((r) => r.ref === state.sampledRef);
  const detail = state.recordDetail;
  if (!record || !detail || detail.ref !== record.ref) return;
  const items = inspectorItems().map((item) => {
    const check = record.checks[item.code];
    const note = el('input', {
      class: 'note', maxlength: 4000, 'aria-label': `${item.name} 说明 note`,
      placeholder: '说明 Note（不合格必填）', title: '不合格必须写明问题 a fail needs a note',
    });
    const problem = el('div', { class: 'error' });
    const send = (passed) => {
      const text = note.value.trim();
      if (!passed && !text) {
        problem.textContent = '不合格须写明问题（列入整改意见书）A fail needs a note: it goes into the notice';
        note.focus();
        return;
      }
      checkSampled(record.ref, item.code, passed, text);
    };
    note.addEventListener('keydown', (event) => { if (event.key === 'Enter') { event.preventDefault(); send(!event.shiftKey); } });
    return el('div', { class: `check-item ${!check ? 'pending' : check.passed ? 'pass' : 'fail'}`, 'data-item': item.code },
      el('div', { class: 'check-head' },
        el('b', {}, item.name), el('span', { class: 'rule' }, `≥ ${item.required}`), el('span', { class: 'spacer' }),
        el('span', { class: 'state' }, !check ? '待检 To check' : check.passed ? '✓ 合格 Pass' : '✗ 不合格 Fail')),
      el('div', { class: 'meaning' }, item.meaning),
      check ? el('div', { class: 'by' }, `#${check.id} ${check.by} · ${check.at}${check.note ? '：' + check.note : ''}`) : null,
      el('div', { class: 'check-row' }, note,
        el('button', { class: 'pass', 'data-pass': item.code, title: 'Enter', onclick: () => send(true) }, '合格 Pass'),
        el('button', { class: 'danger', 'data-fail': item.code, title: 'Shift+Enter', onclick: () => send(false) }, '不合格 Fail')),
      problem);
  });
  const catalogue = el('dl', { class: 'catalogue' });
  renderCatalogue(catalogue, detail.catalogue);
  $('sample-panel').replaceChildren(
    el('section', { class: 'panel' },
      el('h2', {}, '本件检查 Checks of this record'),
      el('div', { class: 'sample-record' }, el('strong', {}, record.ref), ' ',
        el('span', { class: `badge ${record.result}` }, `${RESULT_NAMES[record.result]} ${record.result}`)),
      el('div', { class: 'muted sample-title' }, record.title),
      ...items,
      el('div', { class: 'muted small' }, `本件检查记录 ${record.checks_on_record} 条（更正的也留存 corrected ones are kept）`)),
    el('section', { class: 'panel' },
      el('h2', {}, `本件各页 Pages — 找到 ${detail.pages.length} 页，目录 ${record.pages} 页`),
      el('div', { id: 'sample-pages', class: 'record-pages' })),
    el('section', { class: 'panel' }, el('h2', {}, '目录条目 Catalogue entry'), catalogue));
  renderSamplePages();
}

function renderSamplePages() {
  const node = $('sample-pages');
  if (!node || !state.recordDetail) return;
  node.replaceChildren(...state.recordDetail.pages.map((p) => el('button', {
    class: `${p.status}${state.item && p.id === state.item.id ? ' current' : ''}`,
    title: p.reasons.join(' '),
    onclick: () => openSampledPage(p.id),
  }, String(p.seq).padStart(4, '0'))));
}

async function checkSampled(ref, item, passed, note) {
  try {
    const answer = await api('POST', `/api/sample/${encodeURIComponent(ref)}/verdict`,
      { item, passed, note, sample: state.sample.sample.number });
    applySample(answer);
    toast(`#${answer.check.id} ${ref} ${ITEM_MARK[item] || item}：${passed ? '合格' : '不合格'} — 已记录 recorded`);
  } catch (e) {
    toast(e.message, true);
  }
}

async function signOffSample() {
  const j = state.sample.judgement;
  const note = await askReason(`签发第 ${state.sample.sample.number} 次抽检：${VERDICT_NAMES[j.verdict]}`,
    `缺陷 ${j.defects.length} 项。签发后再有检查，签发即失效 A check after the sign-off asks for a new one.`,
    ['同意验收 Accepted', '不合格，退回整改 Failed: back for correction'], false);
  if (note === null) return;
  try {
    const answer = await api('POST', '/api/sample/sign-off', { note, sample: state.sample.sample.number });
    applySample(answer);
    toast(`已签发 signed off — ${VERDICT_NAMES[answer.sign_off.verdict]}`);
  } catch (e) {
    toast(e.message, true);
  }
}

async function writeSampleReports() {
  try {
    const answer = await api('POST', '/api/sample/report', { sample: state.sample.sample.number });
    applySample(answer);
    toast(`已生成 written: ${answer.written.join(', ')}`);
  } catch (e) {
    toast(e.message, true);
  }
}

// ── Keyboard ──────────────────────────────────────────────────────────────────────
document.addEventListener('keydown', (event) => {
  if ($('app').hidden || document.querySelector('dialog[open]')) return;
  if (event.target.matches('input, textarea, select') || event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key;
  if (state.queue === 'sample' && ['a', 'r', 'R', 's', 'd'].includes(key)) return;  // page decisions: not in the sample
  const handled = {
    j: () => select(state.selected + 1), ArrowDown: () => select(state.selected + 1),
    k: () => select(state.selected - 1), ArrowUp: () => select(state.selected - 1),
    r: () => rotate(90), R: () => rotate(-90),
    a: () => {
      if (!state.item) return;
      const first = state.item.findings.find((f) => !f.overridden_by && !f.accepted && f.severity !== 'info' &&
        f.scope !== 'batch' && f.code !== 'internal.exception' && !f.code.startsWith('review.'));
      if (first) acceptFinding(first);
    },
    s: () => $('act-rescan').click(),
    '+': () => zoom(1.25), '=': () => zoom(1.25), '-': () => zoom(0.8), 0: fit,
    b: () => { if (state.item && state.item.corrections.crop) { $('show-crop').checked = !$('show-crop').checked; drawCropOverlay(); } },
    c: () => { $('show-cleanup').checked = !$('show-cleanup').checked; if (state.item) showImages(state.item); },
    d: () => { state.order = state.order === 'lot' ? 'deviation' : 'lot'; state.selected = -1; loadQueue(); },
    1: () => switchQueue(QUEUES[0].id), 2: () => switchQueue(QUEUES[1].id), 3: () => switchQueue(QUEUES[2].id),
    4: () => switchQueue(QUEUES[3].id),
    '[': () => state.queue === 'sample' && stepSampledPage(-1), ']': () => state.queue === 'sample' && stepSampledPage(1),
    '?': () => $('help-dialog').showModal(),
  }[key];
  if (handled) { event.preventDefault(); handled(); }
});
$('help-button').addEventListener('click', () => $('help-dialog').showModal());

start();
