import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'inf', 'nan']);
const SUFFIXES = ['_bucket', '_sum', '_count'];

/**
 * The metric names a PromQL expression reads. Not a parser: strings, label matchers, grouping clauses and range
 * selectors are removed, and what remains is every identifier that is not a function call or a keyword.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** Metric families a /metrics page declares (`# TYPE` lines, present before any sample is observed). */
export function declaredMetrics(exposition: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1], m[2]);
  return types;
}

/** The family a sample name belongs to: `x_bucket` of histogram `x` is `x`. */
export function familyOf(name: string, declared: Map<string, string>): string | undefined {
  if (declared.has(name)) return name;
  for (const suffix of SUFFIXES) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && ['histogram', 'summary'].includes(declared.get(base) ?? '')) return base;
  }
  return undefined;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { uid: string } }[];
  gridPos: { h: number; w: number; x: number; y: number };
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
}

export function readDashboard(path: string): Dashboard {
  return JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function readYaml<T>(path: string): T {
  return load(readFileSync(path, 'utf8')) as T;
}

export function readAlertRules(path: string): { groups: { name: string; rules: AlertRule[] }[] } {
  return readYaml(path);
}
