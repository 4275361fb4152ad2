// The demo page: wires the controls, the training loop (trainer.ts), the loss chart, the drawing
// pad and backend selection with visible fallbacks (backends.ts). State for tests and the benchmark
// is mirrored on window.__demo. URL options: ?backend=gpujs-gpu|wasm|js&model=paper|compact&autostart=1.
import { LossChart } from './chart';
import { DrawPad } from './pad';
import { MODELS, Trainer, type ModelChoice } from './trainer';
import { loadDigits } from './data';
import { LABELS, defaultChoice, fallbackFor, select, type Choice } from './backends';
import type { Dataset } from '../../runtime/index';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const query = new URLSearchParams(location.search);

interface DemoState {
  ready: boolean;
  running: boolean;
  backend: string;
  detail: string;
  step: number;
  loss: number;
  stepsPerSecond: number;
  accuracy: number;
  notes: string[];
  losses: number[];
  guess?: number;
  /** The backend and step of the latest classification (read back with `await data()`). */
  guessedOn?: { backend: string; step: number };
  error?: string;
}
const state: DemoState = {
  ready: false,
  running: false,
  backend: '',
  detail: '',
  step: 0,
  loss: NaN,
  stepsPerSecond: NaN,
  accuracy: NaN,
  notes: [],
  losses: [],
};
(window as unknown as { __demo: DemoState }).__demo = state;

let data: { train: Dataset; validation: Dataset } | undefined;
let trainer: Trainer | undefined;
let model: ModelChoice = MODELS.find((m) => m.id === query.get('model')) ?? MODELS[0];
let lr = model.lr;
let current: Choice = 'wasm';
const chart = new LossChart($('chart'));
const pad = new DrawPad($('pad'), () => {
  padDirty = true;
});
let padDirty = false,
  lastClassify = 0,
  lastValidate = 0,
  validateMs = 0;

function note(text: string, kind: 'info' | 'error' = 'info'): void {
  state.notes.push(text);
  const box = $('notes'),
    div = document.createElement('div');
  div.className = `note ${kind === 'error' ? 'error' : ''}`;
  div.textContent = text;
  box.hidden = false;
  box.append(div);
}

function setStatus(text: string, kind: '' | 'running' | 'error' = ''): void {
  const el = $('status');
  el.textContent = text;
  el.className = `pill ${kind}`;
}

async function useBackend(want: Choice): Promise<void> {
  const sel = await select(want);
  for (const n of sel.notes) note(n);
  current = sel.name;
  state.backend = sel.name;
  state.detail = sel.detail;
  for (const b of document.querySelectorAll<HTMLButtonElement>('#backend button'))
    b.classList.toggle('active', b.dataset.backend === current);
  $('engine').textContent = `Running on ${LABELS[current]}: ${sel.detail}`;
  if (trainer) trainer.msPerStep = NaN;
}

function fillSelects(): void {
  const m = $<HTMLSelectElement>('model');
  m.innerHTML = MODELS.map((x) => `<option value="${x.id}">${x.label}</option>`).join('');
  m.value = model.id;
  const l = $<HTMLSelectElement>('lr');
  const rates = [...new Set([model.lr / 4, model.lr / 2, model.lr, model.lr * 2])];
  l.innerHTML = rates
    .map(
      (r) =>
        `<option value="${r}">${r.toExponential(0)}${r === model.lr ? (model.id === 'paper' ? ' (paper)' : ' (default)') : ''}</option>`,
    )
    .join('');
  l.value = String(lr);
}

function reset(): void {
  if (!data) return;
  trainer = new Trainer(model, lr, data.train, data.validation);
  chart.reset();
  Object.assign(state, { step: 0, loss: NaN, accuracy: NaN, stepsPerSecond: NaN, losses: [] });
  renderStats();
  padDirty = true;
}

function renderStats(): void {
  $('s-step').textContent = state.step.toLocaleString();
  $('s-loss').textContent = Number.isFinite(state.loss) ? state.loss.toFixed(3) : '–';
  $('s-speed').textContent = Number.isFinite(state.stepsPerSecond)
    ? state.stepsPerSecond.toFixed(state.stepsPerSecond < 10 ? 1 : 0)
    : '–';
  $('s-acc').textContent = Number.isFinite(state.accuracy) ? `${(100 * state.accuracy).toFixed(1)}%` : '–';
}

async function classify(): Promise<void> {
  if (!trainer) return;
  const img = pad.image();
  const bars = $('bars');
  if (!img) {
    $('guess').textContent = '?';
    bars.innerHTML = Array.from({ length: 10 }, (_, d) => `<div class="bar"><i style="height:2px"></i>${d}</div>`).join(
      '',
    );
    state.guess = undefined;
    return;
  }
  const on = { backend: state.backend, step: state.step };
  const p = await trainer.classify(img);
  let best = 0;
  for (let d = 1; d < 10; d++) if (p[d] > p[best]) best = d;
  state.guess = best;
  state.guessedOn = on;
  $('guess').textContent = String(best);
  $('guess-p').textContent = `${(100 * p[best]).toFixed(0)}% sure after ${state.step.toLocaleString()} steps`;
  bars.innerHTML = Array.from(
    p,
    (v, d) =>
      `<div class="bar ${d === best ? 'best' : ''}"><i style="height:${Math.max(2, v * 70).toFixed(0)}px"></i>${d}</div>`,
  ).join('');
}

async function frame(): Promise<void> {
  const now = performance.now();
  if (state.running && trainer) {
    try {
      const r = trainer.run(40);
      chart.push(r.losses);
      state.losses.push(...r.losses);
      state.step = trainer.step;
      state.loss = chart.smoothed;
      state.stepsPerSecond = 1000 / trainer.msPerStep; // training throughput (validation and drawing excluded)
      if (r.diverged) {
        state.running = false;
        note(
          `Training diverged at step ${trainer.step} (a non-finite loss); the last good parameters were kept. Lower the learning rate and continue.`,
          'error',
        );
        setStatus('diverged', 'error');
        $('start').textContent = 'Continue';
      }
    } catch (e) {
      // A backend failing mid-run (e.g. a GPU kernel that does not compile): name it, fall back, keep going.
      const next = fallbackFor(current);
      note(
        `${LABELS[current]} failed: ${(e as Error).message}${next ? ` — switching to ${LABELS[next]}.` : ''}`,
        'error',
      );
      state.error = (e as Error).message;
      if (next) await useBackend(next);
      else {
        state.running = false;
        setStatus('stopped', 'error');
      }
    }
    // Validation costs a forward pass over 500 digits: at most ~10% of the time (slow backends validate less often).
    if (now - lastValidate > Math.max(2000, 10 * validateMs) && trainer.step > 0) {
      const t0 = performance.now();
      const v = trainer.validate();
      lastValidate = performance.now();
      validateMs = lastValidate - t0;
      state.accuracy = v.accuracy;
      chart.pushValidation(trainer.step, v.loss);
    }
    renderStats();
    chart.draw();
  }
  if (padDirty || (state.running && now - lastClassify > 500 && !pad.empty)) {
    padDirty = false;
    lastClassify = now;
    void classify();
  }
  requestAnimationFrame(() => void frame());
}

function toggle(): void {
  state.running = !state.running;
  $('start').textContent = state.running ? 'Pause' : 'Continue';
  setStatus(state.running ? 'training' : 'paused', state.running ? 'running' : '');
}

async function main(): Promise<void> {
  fillSelects();
  void classify();
  const asked = query.get('backend') as Choice | null;
  const def = defaultChoice();
  if (!asked && def.note) note(def.note);
  await useBackend(asked && asked in LABELS ? asked : def.name);
  for (const b of document.querySelectorAll<HTMLButtonElement>('#backend button')) {
    b.addEventListener('click', () => void useBackend(b.dataset.backend as Choice));
  }
  $('model').addEventListener('change', () => {
    model = MODELS.find((m) => m.id === $<HTMLSelectElement>('model').value)!;
    lr = model.lr;
    fillSelects();
    reset();
  });
  $('lr').addEventListener('change', () => {
    lr = Number($<HTMLSelectElement>('lr').value);
    if (trainer)
      trainer = Object.assign(new Trainer(model, lr, data!.train, data!.validation), {
        params: trainer.params,
        step: trainer.step,
      });
  });
  $('start').addEventListener('click', toggle);
  $('reset').addEventListener('click', () => {
    reset();
    if (state.running) toggle();
    $('start').textContent = 'Start training';
    setStatus('ready');
  });
  $('clear').addEventListener('click', () => pad.clear());
  data = await loadDigits();
  reset();
  state.ready = true;
  setStatus('ready');
  for (const id of ['start', 'reset']) $<HTMLButtonElement>(id).disabled = false;
  if (query.get('autostart') === '1') toggle();
  requestAnimationFrame(() => void frame());
}

main().catch((e) => {
  state.error = (e as Error).message;
  setStatus('error', 'error');
  note(`The demo could not start: ${(e as Error).message}`, 'error');
});
