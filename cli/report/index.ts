// `forwardgrad report DIR`: renders every result found in DIR and its immediate subfolders
// (results.json of train/demo/scaling, testfns.json of Figure 2) into one index.html + SVGs.
// So `train logreg --out reports/logreg`, `train mlp --out reports/mlp`, `train scaling --out
// reports/scaling` and `report reports` give one page with the whole comparison table.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../runtime/fgd/atomic';
import { RESULTS_FILE, TrainResults, ScalingResults, readResults, AnyResults } from '../experiments/results';
import type { TestFnExperiment } from '../experiments/testfns';
import { LOG_FILE, TESTFN_TITLE, readTestFnLog, testFnIntro, testFnSections } from './testfns';
import { Section, reportHtml } from './html';
import { comparisonTable, scalingSection, trainSection } from './train';
import { CliError } from '../output';

export interface Found {
  train: Array<[string, TrainResults]>;
  scaling: Array<[string, ScalingResults]>;
  testfns: Array<[string, TestFnExperiment]>;
}

/** The results in `dir` (prefix '') and in each immediate subfolder (prefix '<sub>-'), in name order. */
export function findResults(dir: string): Found {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new CliError(`report: ${dir}: no such folder`);
  }
  if (!stat.isDirectory())
    throw new CliError(`report: ${dir} is a file; give the folder that holds ${RESULTS_FILE} or ${LOG_FILE}`);
  const found: Found = { train: [], scaling: [], testfns: [] };
  const look = (folder: string, prefix: string) => {
    const res = path.join(folder, RESULTS_FILE),
      tf = path.join(folder, LOG_FILE);
    if (fs.existsSync(res)) {
      const r: AnyResults = readResults(res);
      if (r.kind === 'forwardgrad-train') found.train.push([prefix, r]);
      else found.scaling.push([prefix, r]);
    }
    if (fs.existsSync(tf)) found.testfns.push([prefix, readTestFnLog(tf)]);
  };
  look(dir, '');
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isDirectory() && !e.name.startsWith('.')) look(path.join(dir, e.name), `${e.name}-`);
  }
  if (!found.train.length && !found.scaling.length && !found.testfns.length)
    throw new CliError(
      `report: ${dir} holds no ${RESULTS_FILE} or ${LOG_FILE} (nor do its subfolders); give the folder forwardgrad train or demo wrote (its --out)`,
    );
  return found;
}

/** Writes the SVGs and index.html for the results of `dir` into `outDir`; returns the index path. */
export async function writeReport(dir: string, outDir: string): Promise<string> {
  const found = findResults(dir);
  fs.mkdirSync(outDir, { recursive: true });
  const sections: Section[] = [];
  const ids: string[] = [];
  if (found.train.length > 1)
    sections.push({
      heading: 'All experiments beside the paper',
      tables: [comparisonTable(found.train.map(([, r]) => r))],
      figures: [],
    });
  for (const [prefix, r] of found.train) {
    ids.push(r.runId);
    sections.push(await trainSection(r, prefix));
  }
  for (const [prefix, r] of found.scaling) {
    ids.push(r.runId);
    sections.push(await scalingSection(r, prefix));
  }
  const intro: string[] = [];
  for (const [prefix, exp] of found.testfns) {
    if (exp.runId) ids.push(exp.runId);
    intro.push(testFnIntro(exp));
    sections.push(...(await testFnSections(exp, prefix)));
  }
  for (const s of sections) for (const f of s.figures) fs.writeFileSync(path.join(outDir, f.file), f.svg);
  const onlyFig2 = !found.train.length && !found.scaling.length;
  const html = reportHtml(
    onlyFig2 ? TESTFN_TITLE : 'Forward gradients vs backpropagation (Baydin et al. 2022, §5)',
    [
      `Run id${ids.length === 1 ? '' : 's'}: ${ids.join(', ') || '(none recorded)'}. Rendered ${new Date().toISOString()} from ${ids.length === 1 ? 'the results file' : 'the results files'} beside this page.`,
      ...intro,
    ],
    sections,
  );
  const index = path.join(outDir, 'index.html');
  writeFileAtomic(index, html);
  return index;
}
