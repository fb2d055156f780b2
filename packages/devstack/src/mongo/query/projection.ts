import { Query } from 'mingo';
import { CommandError, ErrorCode } from '../errors.ts';
import { isPlainObject, type Doc } from '../storage/key-encoding.ts';
import { cloneDoc } from './update.ts';

// A projection as a tree of paths: `{ a: { b: true } }` for 'a.b'.
interface Tree {
  [key: string]: Tree | true;
}

interface Plan {
  inclusion: boolean;
  tree: Tree;
  keepId: boolean;
}

function addPath(tree: Tree, path: string): void {
  const parts = path.split('.');
  let cur = tree;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (i === parts.length - 1) {
      cur[p] = true;
      return;
    }
    const next = cur[p];
    if (next === true) return; // a parent path already covers it
    if (next === undefined) cur[p] = {};
    cur = cur[p] as Tree;
  }
}

// Plain inclusion/exclusion projections are handled here; anything with operators ($slice,
// $elemMatch, positional, expressions) returns null and goes to mingo.
function plan(spec: Doc): Plan | null {
  let inclusion: boolean | null = null;
  let keepId = true;
  const tree: Tree = {};
  for (const [path, v] of Object.entries(spec)) {
    if (path.endsWith('.$') || path.startsWith('$')) return null;
    let on: boolean;
    if (typeof v === 'boolean') on = v;
    else if (typeof v === 'number') on = v !== 0;
    else return null;
    if (path === '_id') {
      keepId = on;
      continue;
    }
    if (inclusion === null) inclusion = on;
    else if (inclusion !== on) {
      throw new CommandError(
        on ? 31253 : 31254,
        on
          ? `Cannot do inclusion on field ${path} in exclusion projection`
          : `Cannot do exclusion on field ${path} in inclusion projection`,
      );
    }
    addPath(tree, path);
  }
  // `{_id: 0}` alone is an exclusion projection.
  return { inclusion: inclusion ?? false, tree, keepId };
}

function include(src: unknown, tree: Tree): unknown {
  if (Array.isArray(src)) {
    const out: unknown[] = [];
    for (const e of src) {
      if (Array.isArray(e) || isPlainObject(e)) out.push(include(e, tree));
    }
    return out;
  }
  if (!isPlainObject(src)) return undefined;
  const out: Doc = {};
  for (const key of Object.keys(src)) {
    const t = tree[key];
    if (t === undefined) continue;
    const v = src[key];
    if (t === true) out[key] = v;
    else if (Array.isArray(v) || isPlainObject(v)) out[key] = include(v, t);
  }
  return out;
}

function exclude(src: unknown, tree: Tree): unknown {
  if (Array.isArray(src))
    return (src as unknown[]).map((e) =>
      Array.isArray(e) || isPlainObject(e) ? exclude(e, tree) : e,
    );
  if (!isPlainObject(src)) return src;
  const out: Doc = {};
  for (const key of Object.keys(src)) {
    const t = tree[key];
    if (t === true) continue;
    out[key] = t === undefined ? src[key] : exclude(src[key], t);
  }
  return out;
}

function apply(doc: Doc, p: Plan): Doc {
  if (p.inclusion) {
    const body = include(doc, p.tree) as Doc;
    if (p.keepId && doc._id !== undefined) return { _id: doc._id, ...body };
    delete body._id;
    return body;
  }
  const out = exclude(doc, p.tree) as Doc;
  if (!p.keepId) delete out._id;
  return out;
}

/**
 * Applies a find-style projection. Stored documents are never modified: plain projections
 * build new objects, and the mingo fallback works on copies.
 */
export function project(docs: Doc[], projection: unknown, filter: Doc | undefined): Doc[] {
  if (!isPlainObject(projection) || Object.keys(projection).length === 0 || docs.length === 0)
    return docs;
  const p = plan(projection);
  if (p) return docs.map((d) => apply(d, p));
  const positional = Object.keys(projection).some((k) => k.endsWith('.$'));
  try {
    return new Query(positional ? (filter ?? {}) : {}, {})
      .find<Doc>(docs.map(cloneDoc), projection)
      .all();
  } catch (err) {
    throw new CommandError(ErrorCode.BadValue, err instanceof Error ? err.message : String(err));
  }
}
