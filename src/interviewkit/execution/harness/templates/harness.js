'use strict';
// interviewkit function-call harness for JavaScript (generated next to the candidate's files).
//
// Calls the candidate's entry point once per test in $IK_TESTS, from index $IK_START, and
// writes one JSON object per line to the inherited descriptor $IK_RESULT_FD. Expected values
// never reach this process: it only reports what the function returned; the host compares.

const fs = require('fs');
const path = require('path');
const util = require('util');
const vm = require('vm');
const { createRequire } = require('module');
const { performance } = require('perf_hooks');
const { pathToFileURL } = require('url');

// Replaced by the generator with this problem's configuration.
const CONFIG = JSON.parse('{"entry_file":"solution.js","entry_point":"solve","signature":null}'); // @ik-config

const HARNESS_FILE = __filename;
const STACK_LINES = 20;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const MAX_NODES = 1000000;

// LeetCode's node classes. The prelude (__ik_prelude.js, loaded with --require) defines
// them as globals; these are the same definitions for a run without it. A candidate's own
// ListNode/TreeNode wins: inputs are built with whatever their file sees (NODE_CLASSES).
function defineGlobal(name, value) {
  if (typeof globalThis[name] !== 'undefined') return;
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
}
defineGlobal('ListNode', function ListNode(val, next) {
  this.val = (val === undefined ? 0 : val);
  this.next = (next === undefined ? null : next);
});
defineGlobal('TreeNode', function TreeNode(val, left, right) {
  this.val = (val === undefined ? 0 : val);
  this.left = (left === undefined ? null : left);
  this.right = (right === undefined ? null : right);
});
const NODE_CLASSES = { ListNode: globalThis.ListNode, TreeNode: globalThis.TreeNode };

class HarnessError extends Error {}

class ConversionError extends HarnessError {
  constructor(where, detail) {
    super(`${where}: ${detail}`);
    this.where = where;
    this.detail = detail;
  }
}

// ---------------------------------------------------------------- JSON reading
// JSON.parse would round integers beyond 2^53; this parser keeps them exact as BigInt.

function parseJson(text) {
  let pos = 0;
  const numberRe = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

  function fail(what) {
    throw new SyntaxError(`invalid JSON at offset ${pos}: ${what}`);
  }
  function skipWhitespace() {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
      else break;
    }
  }
  function parseString() {
    pos++; // opening quote
    let out = '';
    let chunkStart = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 34) {
        out += text.slice(chunkStart, pos);
        pos++;
        return out;
      }
      if (c < 32) fail('control character in string');
      if (c !== 92) {
        pos++;
        continue;
      }
      out += text.slice(chunkStart, pos);
      const e = text[pos + 1];
      pos += 2;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = text.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
          break;
        }
        default: fail('bad escape');
      }
      chunkStart = pos;
    }
  }
  function parseValue(depth) {
    if (depth > 10000) fail('nested too deeply');
    skipWhitespace();
    const c = text[pos];
    if (c === '"') return parseString();
    if (c === '[') {
      pos++;
      const items = [];
      skipWhitespace();
      if (text[pos] === ']') { pos++; return items; }
      for (;;) {
        items.push(parseValue(depth + 1));
        skipWhitespace();
        if (text[pos] === ',') { pos++; continue; }
        if (text[pos] === ']') { pos++; return items; }
        fail("expected ',' or ']'");
      }
    }
    if (c === '{') {
      pos++;
      const obj = {};
      skipWhitespace();
      if (text[pos] === '}') { pos++; return obj; }
      for (;;) {
        skipWhitespace();
        if (text[pos] !== '"') fail('expected a key');
        const key = parseString();
        skipWhitespace();
        if (text[pos] !== ':') fail("expected ':'");
        pos++;
        Object.defineProperty(obj, key, {
          value: parseValue(depth + 1), enumerable: true, writable: true, configurable: true,
        });
        skipWhitespace();
        if (text[pos] === ',') { pos++; continue; }
        if (text[pos] === '}') { pos++; return obj; }
        fail("expected ',' or '}'");
      }
    }
    if (text.startsWith('true', pos)) { pos += 4; return true; }
    if (text.startsWith('false', pos)) { pos += 5; return false; }
    if (text.startsWith('null', pos)) { pos += 4; return null; }
    numberRe.lastIndex = pos;
    const m = numberRe.exec(text);
    if (!m) fail('unexpected character');
    pos = numberRe.lastIndex;
    const token = m[0];
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(token);
      return Number.isSafeInteger(n) ? n : BigInt(token);
    }
    return Number(token);
  }
  const value = parseValue(0);
  skipWhitespace();
  if (pos !== text.length) fail('trailing data');
  return value;
}

// ---------------------------------------------------------------- arguments

function jsonKind(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'bigint' || typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  return typeof v;
}

// Unsafe integers arrive as BigInt; without a signature they become (rounded) Numbers,
// as JSON.parse would give.
function plainNumbers(v) {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plainNumbers);
  if (v !== null && typeof v === 'object') {
    for (const key of Object.keys(v)) v[key] = plainNumbers(v[key]);
  }
  return v;
}

function describeValue(v) {
  const text = typeof v === 'bigint' ? v.toString() : JSON.stringify(v);
  return text.length <= 40 ? text : `${text.slice(0, 37)}...`;
}

// One node of the class in use, built the way LeetCode's constructor is called.
function newNode(type, value, where) {
  const Node = NODE_CLASSES[type];
  let node;
  try {
    node = new Node(value);
  } catch (e) {
    throw new ConversionError(where, `cannot create ${type}(${value}): ${describeError(e).split('\n')[0]}`);
  }
  for (const link of type === 'ListNode' ? ['next'] : ['left', 'right']) {
    if (node[link] === undefined) node[link] = null;
  }
  if (node.val !== value) node.val = value;
  return node;
}

// LeetCode's [1,2,3] as linked ListNodes; [] is null.
function buildList(v, where) {
  if (!Array.isArray(v)) throw new ConversionError(where, `expected ListNode (an array of int), got ${jsonKind(v)}`);
  const values = v.map((item, i) => convertArg(item, 'int', `${where}[${i}]`));
  let head = null;
  for (let i = values.length - 1; i >= 0; i--) {
    const node = newNode('ListNode', values[i], `${where}[${i}]`);
    node.next = head;
    head = node;
  }
  return head;
}

// LeetCode's level order ([3,9,20,null,null,15,7]) as TreeNodes; [] is null.
function buildTree(v, where) {
  if (!Array.isArray(v)) {
    throw new ConversionError(where, `expected TreeNode (a level-order array of ints and nulls), got ${jsonKind(v)}`);
  }
  const values = v.map((item, i) => (item === null ? null : convertArg(item, 'int', `${where}[${i}]`)));
  if (values.length === 0 || values[0] === null) {
    const extra = values.findIndex((item) => item !== null);
    if (extra >= 0) throw new ConversionError(`${where}[${extra}]`, 'a value below a null root');
    return null;
  }
  const root = newNode('TreeNode', values[0], `${where}[0]`);
  const parents = [root];
  let head = 0;
  let index = 1;
  while (index < values.length) {
    if (head >= parents.length) {
      throw new ConversionError(`${where}[${index}]`, 'a value whose parent is null (too many values for the tree)');
    }
    const parent = parents[head++];
    for (const side of ['left', 'right']) {
      if (index >= values.length) break;
      const item = values[index];
      if (item !== null) {
        const child = newNode('TreeNode', item, `${where}[${index}]`);
        parent[side] = child;
        parents.push(child);
      }
      index++;
    }
  }
  return root;
}

// Check one argument against its declared type. `long` values beyond Number's safe range
// stay BigInt so they are exact; doubles are plain Numbers.
function convertArg(v, type, where) {
  if (type.endsWith('[]')) {
    if (!Array.isArray(v)) throw new ConversionError(where, `expected ${type}, got ${jsonKind(v)}`);
    const inner = type.slice(0, -2);
    return v.map((item, i) => convertArg(item, inner, `${where}[${i}]`));
  }
  switch (type) {
    case 'ListNode':
      return buildList(v, where);
    case 'TreeNode':
      return buildTree(v, where);
    case 'char':
      if (typeof v !== 'string' || v.length !== 1 || v.charCodeAt(0) > 127) {
        const got = typeof v === 'string' ? describeValue(v) : jsonKind(v);
        throw new ConversionError(where, `expected char (a one-character ASCII string), got ${got}`);
      }
      return v;
    case 'int':
    case 'long': {
      const isInt = typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
      if (!isInt) {
        const got = typeof v === 'number' ? `number ${v}` : jsonKind(v);
        throw new ConversionError(where, `expected ${type}, got ${got}`);
      }
      const big = BigInt(v);
      const [lo, hi] = type === 'int' ? [BigInt(INT_MIN), BigInt(INT_MAX)] : [LONG_MIN, LONG_MAX];
      if (big < lo || big > hi) throw new ConversionError(where, `${big} does not fit in ${type}`);
      return v;
    }
    case 'double': {
      if (typeof v !== 'number' && typeof v !== 'bigint') {
        throw new ConversionError(where, `expected double, got ${jsonKind(v)}`);
      }
      const n = Number(v);
      if (!Number.isFinite(n)) throw new ConversionError(where, `${v} is out of range for double`);
      return n;
    }
    case 'bool':
      if (typeof v !== 'boolean') throw new ConversionError(where, `expected bool, got ${jsonKind(v)}`);
      return v;
    default:
      if (typeof v !== 'string') throw new ConversionError(where, `expected string, got ${jsonKind(v)}`);
      return v;
  }
}

// ---------------------------------------------------------------- return values

function typeName(v) {
  if (v === null) return 'null';
  if (typeof v === 'object' || typeof v === 'function') {
    const ctor = Object.getPrototypeOf(v)?.constructor;
    if (ctor && ctor.name) return ctor.name;
  }
  return typeof v;
}

function formatDouble(n) {
  if (Object.is(n, -0)) return '-0.0';
  const s = String(n);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function compareForSet(a, b) {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

// A returned linked list as LeetCode's array; a cycle or a huge list is an error.
function serializeList(head) {
  const seen = new Set();
  const parts = [];
  for (let node = head; node !== null && node !== undefined; node = node.next) {
    if (typeof node !== 'object') {
      throw new HarnessError(`returned ListNode links to a ${typeName(node)}, not a ListNode`);
    }
    if (seen.has(node)) {
      throw new HarnessError(`returned ListNode has a cycle: node ${parts.length} links back to an earlier node`);
    }
    if (parts.length >= MAX_NODES) throw new HarnessError(`returned ListNode has more than ${MAX_NODES} nodes`);
    seen.add(node);
    parts.push(serialize(node.val, 'int', new Set()));
  }
  return `[${parts.join(',')}]`;
}

// A returned tree in LeetCode's level order; a node reached twice is an error.
function serializeTree(root) {
  const seen = new Set();
  const parts = [];
  const level = [root === undefined ? null : root];
  for (let head = 0; head < level.length; head++) {
    const node = level[head];
    if (node === null || node === undefined) {
      parts.push('null');
      continue;
    }
    if (typeof node !== 'object') {
      throw new HarnessError(`returned TreeNode links to a ${typeName(node)}, not a TreeNode`);
    }
    if (seen.has(node)) {
      throw new HarnessError(
        'returned TreeNode reaches a node twice (a cycle, or a node shared by two parents): it is not a tree');
    }
    if (seen.size >= MAX_NODES) throw new HarnessError(`returned TreeNode has more than ${MAX_NODES} nodes`);
    seen.add(node);
    parts.push(serialize(node.val, 'int', new Set()));
    level.push(node.left === undefined ? null : node.left, node.right === undefined ? null : node.right);
  }
  while (parts.length > 0 && parts[parts.length - 1] === 'null') parts.pop();
  return `[${parts.join(',')}]`;
}

// Which LeetCode node an undeclared return value looks like (by its fields).
function nodeKind(v) {
  if ('val' in v && 'next' in v) return 'ListNode';
  if ('val' in v && 'left' in v && 'right' in v) return 'TreeNode';
  return null;
}

// The return value as JSON text. `type` is the declared return type (or null): numbers in a
// `double` position are written as floats even when integral.
function serialize(v, type, active) {
  if (type === 'ListNode') return serializeList(v);
  if (type === 'TreeNode') return serializeTree(v);
  const inner = type && type.endsWith('[]') ? type.slice(0, -2) : type;
  const base = type ? type.replace(/\[\]/g, '') : null;
  if (v === undefined || v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    case 'bigint':
      return base === 'double' ? formatDouble(Number(v)) : v.toString();
    case 'number':
      if (!Number.isFinite(v)) {
        throw new HarnessError(`return value contains ${v}, which JSON cannot represent`);
      }
      if (base === 'double') return formatDouble(v);
      return Object.is(v, -0) ? '0' : String(v);
    case 'object':
      break;
    default:
      throw new HarnessError(`return value of type ${typeName(v)} cannot be converted to JSON`);
  }
  if (active.has(v)) throw new HarnessError('return value contains a reference cycle');
  active.add(v);
  try {
    if (Array.isArray(v) || ArrayBuffer.isView(v)) {
      if (v instanceof DataView) {
        throw new HarnessError('return value of type DataView cannot be converted to JSON');
      }
      const parts = [];
      for (let i = 0; i < v.length; i++) parts.push(serialize(v[i], inner, active));
      return `[${parts.join(',')}]`;
    }
    if (v instanceof Set) {
      const items = [...v];
      const numeric = items.every((x) => typeof x === 'number' || typeof x === 'bigint');
      const strings = items.every((x) => typeof x === 'string');
      if (!numeric && !strings) {
        throw new HarnessError(
          'return value of type Set cannot be converted to JSON: its elements cannot be sorted');
      }
      items.sort(compareForSet);
      return `[${items.map((x) => serialize(x, inner, active)).join(',')}]`;
    }
    if (v instanceof Map) {
      const parts = [];
      for (const [key, value] of v) {
        parts.push(`${JSON.stringify(String(key))}:${serialize(value, null, active)}`);
      }
      return `{${parts.join(',')}}`;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      const parts = [];
      for (const key of Object.keys(v)) {
        const value = v[key];
        if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
        parts.push(`${JSON.stringify(key)}:${serialize(value, null, active)}`);
      }
      return `{${parts.join(',')}}`;
    }
    const kind = type === null || type === undefined ? nodeKind(v) : null;
    if (kind === 'ListNode') return serializeList(v);
    if (kind === 'TreeNode') return serializeTree(v);
    throw new HarnessError(`return value of type ${typeName(v)} cannot be converted to JSON`);
  } finally {
    active.delete(v);
  }
}

// ---------------------------------------------------------------- errors

function relative(text) {
  const prefix = process.cwd() + path.sep;
  return text.split(pathToFileURL(prefix).href).join('').split(prefix).join('');
}

// `Type: message` plus the candidate's stack frames (harness frames dropped).
function describeError(e) {
  if (e === null || (typeof e !== 'object' && typeof e !== 'function')) {
    return `Uncaught ${util.inspect(e)}`;
  }
  let head;
  try {
    head = `${e.name || typeName(e)}: ${e.message === undefined ? util.inspect(e) : e.message}`;
  } catch (_) {
    head = `Uncaught ${typeName(e)}`;
  }
  const stack = typeof e.stack === 'string' ? e.stack : '';
  const frames = [];
  // V8 puts a syntax error's location ("file:line", the line, a caret) before its message.
  const location = /^([^\n]+:\d+)\n((?:[^\n]*\n){0,2}?)\n*(?=\w*Error)/.exec(stack);
  if (location && e instanceof SyntaxError) {
    frames.push(`    at ${location[1]}`);
    for (const line of location[2].split('\n')) if (line.trim()) frames.push(`    ${line}`);
  }
  for (const line of stack.split('\n')) {
    if (!/^\s+at /.test(line)) continue;
    if (line.includes(HARNESS_FILE)) break;
    if (line.includes('node:internal/') || line.includes('(node:vm')) continue;
    if (frames.length === STACK_LINES) {
      frames.push('    ...');
      break;
    }
    frames.push(line);
  }
  return relative([head, ...frames].join('\n'));
}

// ---------------------------------------------------------------- stdout capture

const realWrite = process.stdout.write.bind(process.stdout);
const realExit = process.exit.bind(process);

class Capture {
  constructor(limit) {
    this.limit = limit;
    this.chunks = [];
    this.size = 0;
    this.truncated = false;
  }

  add(chunk, encoding) {
    let buf;
    if (typeof chunk === 'string') buf = Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8');
    else if (chunk instanceof Uint8Array) buf = Buffer.from(chunk);
    else buf = Buffer.from(String(chunk), 'utf8');
    const room = this.limit - this.size;
    if (buf.length > room) this.truncated = true;
    if (room > 0) {
      const kept = buf.length > room ? buf.subarray(0, room) : buf;
      this.chunks.push(kept);
      this.size += kept.length;
    }
  }

  take() {
    let data = Buffer.concat(this.chunks);
    if (this.truncated) data = trimPartialUtf8(data);
    this.chunks = [];
    this.size = 0;
    this.truncated = false;
    return data.toString('utf8');
  }
}

function trimPartialUtf8(data) {
  for (let back = 1; back <= Math.min(4, data.length); back++) {
    const byte = data[data.length - back];
    if ((byte & 0xc0) === 0x80) continue;
    let need = 1;
    if (byte >> 5 === 0b110) need = 2;
    else if (byte >> 4 === 0b1110) need = 3;
    else if (byte >> 3 === 0b11110) need = 4;
    return need > back ? data.subarray(0, data.length - back) : data;
  }
  return data;
}

// ---------------------------------------------------------------- loading the candidate

function isClass(f) {
  try {
    return /^class[\s{]/.test(Function.prototype.toString.call(f));
  } catch (_) {
    return false;
  }
}

// How many arguments a function accepts: [min, max], max = Infinity with rest parameters.
function arity(fn) {
  const min = fn.length;
  let src;
  try {
    src = Function.prototype.toString.call(fn);
  } catch (_) {
    return [0, Infinity];
  }
  if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) return [0, Infinity];
  const arrow = /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  if (arrow) return [1, 1];
  let i = src.indexOf('(');
  if (i < 0) return [min, Infinity];
  let depth = 0;
  let count = 0;
  let sawToken = false;
  let rest = false;
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === '"' || c === "'" || c === '`') {
      // skip a string literal inside a default value
      const quote = c;
      for (i++; i < src.length && src[i] !== quote; i++) if (src[i] === '\\') i++;
      sawToken = true;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) return [min, Infinity];
      i = end + 1;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      if (end < 0) return [min, Infinity];
      i = end;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      depth++;
      if (depth > 1) sawToken = true;
      continue;
    }
    if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) break;
      continue;
    }
    if (depth === 1 && c === ',') {
      if (sawToken) count++;
      sawToken = false;
      continue;
    }
    if (depth === 1 && c === '.' && src.startsWith('...', i)) rest = true;
    if (!/\s/.test(c)) sawToken = true;
  }
  if (sawToken) count++;
  return [min, rest ? Infinity : Math.max(count, min)];
}

function probe(name) {
  return `(function(){try{return typeof ${name}==='undefined'?undefined:${name};}catch(e){return undefined;}})()`;
}

// Runs the candidate's file as a CommonJS module whose top-level bindings we can see, so a
// LeetCode-style `var twoSum = function (...) {}` works without an export. An ES module
// (.mjs) is imported instead: only its exports are visible.
async function loadCandidate() {
  const entryFile = CONFIG.entry_file;
  const name = CONFIG.entry_point;
  const file = path.resolve(entryFile);
  if (file.endsWith('.mjs')) {
    if (!fs.existsSync(file)) throw new HarnessError(`cannot load ${entryFile}: file not found`);
    let ns;
    try {
      ns = await import(pathToFileURL(file).href);
    } catch (e) {
      throw new HarnessError(`error while loading ${entryFile}: ${describeError(e)}`);
    }
    useNodeClasses(ns.ListNode, ns.TreeNode);
    return resolveEntry(ns[name], ns.Solution, ns.default);
  }
  let source;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new HarnessError(`cannot load ${entryFile}: ${e.code === 'ENOENT' ? 'file not found' : e.message}`);
  }
  if (source.startsWith('#!')) source = `//${source.slice(2)}`;
  const key = Symbol.for('interviewkit.harness.capture');
  let captured = [undefined, undefined, undefined, undefined];
  globalThis[key] = (values) => { captured = values; };
  const code = `${source}\n;globalThis[Symbol.for('interviewkit.harness.capture')]([${probe(name)},${probe('Solution')},${probe('ListNode')},${probe('TreeNode')}]);\n`;
  const mod = { exports: {}, id: file, filename: file, loaded: false, children: [], paths: [] };
  const req = createRequire(file);
  mod.require = req;
  const params = ['exports', 'require', 'module', '__filename', '__dirname'];
  try {
    let wrapper;
    try {
      wrapper = vm.compileFunction(code, params, { filename: file });
    } catch (e) {
      // Report the error in the candidate's own code, not in the probe appended to it.
      vm.compileFunction(source, params, { filename: file });
      throw e;
    }
    wrapper.call(mod.exports, mod.exports, req, mod, file, path.dirname(file));
  } catch (e) {
    throw new HarnessError(`error while loading ${entryFile}: ${describeError(e)}`);
  } finally {
    delete globalThis[key];
  }
  mod.loaded = true;
  useNodeClasses(captured[2], captured[3]);
  return resolveEntry(captured[0], captured[1], mod.exports);
}

// The candidate's own ListNode/TreeNode (a top-level declaration or export) wins.
function useNodeClasses(list, tree) {
  if (typeof list === 'function') NODE_CLASSES.ListNode = list;
  if (typeof tree === 'function') NODE_CLASSES.TreeNode = tree;
}

// The function to call: a top-level function, module.exports[name], a method of class
// Solution, or module.exports itself; a factory so that Solution is fresh for every test.
function resolveEntry(top, topSolution, exp) {
  const entryFile = CONFIG.entry_file;
  const name = CONFIG.entry_point;
  if (typeof top === 'function' && !isClass(top)) return () => ({ fn: top, self: undefined });
  if (exp !== null && exp !== undefined && typeof exp[name] === 'function' && !isClass(exp[name])) {
    return () => ({ fn: exp[name], self: exp });
  }
  const classes = [topSolution, exp && exp.Solution, exp];
  const solution = classes.find(
    (c) => typeof c === 'function' && isClass(c) && c.prototype && typeof c.prototype[name] === 'function');
  if (typeof exp === 'function' && !isClass(exp) && !(solution && solution === exp)) {
    return () => ({ fn: exp, self: undefined });
  }
  if (solution) {
    return () => {
      const instance = new solution();
      return { fn: instance[name], self: instance };
    };
  }
  const staticSolution = classes.find((c) => typeof c === 'function' && typeof c[name] === 'function');
  if (staticSolution) return () => ({ fn: staticSolution[name], self: staticSolution });
  // A class field (`twoSum = (nums, target) => ...`) exists only on instances.
  const named = [topSolution, exp && exp.Solution].find((c) => typeof c === 'function' && isClass(c));
  if (named) {
    return () => {
      const instance = new named();
      if (typeof instance[name] !== 'function') throw notFound();
      return { fn: instance[name], self: instance };
    };
  }
  throw notFound();
}

function notFound() {
  const entryFile = CONFIG.entry_file;
  const name = CONFIG.entry_point;
  return new HarnessError(
    `entry point '${name}' not found in ${entryFile} (expected a function ${name}, ` +
    `module.exports.${name}, or a method ${name} of class Solution)`);
}

// ---------------------------------------------------------------- running tests

function writeAll(fd, text) {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
    }
  }
}

function convertArgs(raw) {
  if (!Array.isArray(raw)) throw new HarnessError('test arguments must be a JSON array');
  const sig = CONFIG.signature;
  if (!sig) return raw.map(plainNumbers);
  if (raw.length !== sig.params.length) {
    const names = sig.params.map((p) => p.name).join(', ');
    throw new HarnessError(
      `the test provides ${raw.length} argument(s) but the signature declares ` +
      `${sig.params.length} parameter(s) (${names})`);
  }
  return raw.map((value, i) => {
    const param = sig.params[i];
    try {
      return convertArg(value, param.type, param.name);
    } catch (e) {
      if (!(e instanceof ConversionError)) throw e;
      const at = e.where === param.name ? '' : ` at ${e.where}`;
      throw new HarnessError(`parameter '${param.name}' (${param.type})${at}: ${e.detail}`);
    }
  });
}

function isMemoryError(e) {
  return e instanceof RangeError && /allocation failed|out of memory/i.test(String(e.message));
}

async function runOne(factory, raw, capture) {
  let args;
  try {
    args = convertArgs(raw);
  } catch (e) {
    if (!(e instanceof HarnessError)) throw e;
    return { ok: false, kind: 'runtime_error', error: e.message, stdout: '', time_ms: 0 };
  }
  const leftover = capture.take();
  if (leftover) realWrite(leftover);
  let value;
  let error = null;
  const started = performance.now();
  try {
    const { fn, self } = factory();
    const [min, max] = arity(fn);
    if (args.length < min || args.length > max) {
      const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      throw new HarnessError(
        `entry point '${CONFIG.entry_point}' takes ${wanted} argument(s) but the test ` +
        `provides ${args.length}`);
    }
    value = fn.apply(self, args);
    if (value !== null && typeof value === 'object' && typeof value.then === 'function') {
      value = await value;
    }
  } catch (e) {
    if (e instanceof HarnessError) error = ['runtime_error', e.message];
    else error = [isMemoryError(e) ? 'memory_limit_exceeded' : 'runtime_error', describeError(e)];
  }
  const timeMs = performance.now() - started;
  const stdout = capture.take();
  if (error) return { ok: false, kind: error[0], error: error[1], stdout, time_ms: timeMs };
  let actual;
  try {
    const sig = CONFIG.signature;
    actual = serialize(value, sig ? sig.returns : null, new Set());
  } catch (e) {
    const message = e instanceof HarnessError ? e.message
      : e instanceof RangeError ? `return value of type ${typeName(value)} is nested too deeply for JSON`
        : describeError(e);
    return { ok: false, kind: 'runtime_error', error: message, stdout, time_ms: timeMs };
  }
  return { ok: true, actual, stdout, time_ms: timeMs };
}

function resultLine(index, r) {
  const time = r.time_ms.toFixed(3);
  if (r.ok) {
    return `{"event":"result","index":${index},"ok":true,"actual":${r.actual},` +
      `"stdout":${JSON.stringify(r.stdout)},"time_ms":${time}}\n`;
  }
  return `{"event":"result","index":${index},"ok":false,"kind":${JSON.stringify(r.kind)},` +
    `"error":${JSON.stringify(r.error)},"stdout":${JSON.stringify(r.stdout)},"time_ms":${time}}\n`;
}

async function main() {
  const env = process.env;
  const testsPath = env.IK_TESTS || '';
  const start = Number.parseInt(env.IK_START || '0', 10) || 0;
  const limit = Number.parseInt(env.IK_STDOUT_LIMIT || '65536', 10);
  const resultFd = env.IK_RESULT_FD ? Number.parseInt(env.IK_RESULT_FD, 10) : 1;
  for (const name of ['IK_TESTS', 'IK_START', 'IK_STDOUT_LIMIT', 'IK_RESULT_FD']) delete env[name];
  let tests;
  try {
    tests = parseJson(fs.readFileSync(testsPath, 'utf8')).tests;
    if (!Array.isArray(tests)) throw new Error("'tests' must be a JSON array");
  } catch (e) {
    process.stderr.write(`interviewkit harness: cannot read tests from '${testsPath}': ${e.message}\n`);
    realExit(2);
  }
  // A candidate's stray timer or promise must not kill the run between tests.
  process.on('uncaughtException', (e) => process.stderr.write(`${describeError(e)}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`${describeError(e)}\n`));

  // process.exit() in the candidate's code fails that test (like SystemExit in Python)
  // instead of ending the whole run.
  process.exit = (code) => {
    throw new Error(`process.exit(${code === undefined ? '' : code}) called`);
  };

  const capture = new Capture(Number.isFinite(limit) && limit >= 0 ? limit : 65536);
  process.stdout.write = (chunk, encoding, callback) => {
    capture.add(chunk, encoding);
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (typeof cb === 'function') process.nextTick(cb);
    return true;
  };

  let factory = null;
  let loadError = '';
  try {
    factory = await loadCandidate();
  } catch (e) {
    loadError = e instanceof HarnessError ? e.message : describeError(e);
  }
  for (let index = Math.max(start, 0); index < tests.length; index++) {
    writeAll(resultFd, `{"event":"start","index":${index}}\n`);
    const result = factory === null
      ? { ok: false, kind: 'runtime_error', error: loadError, stdout: '', time_ms: 0 }
      : await runOne(factory, tests[index], capture);
    writeAll(resultFd, resultLine(index, result));
  }
  const leftover = capture.take();
  if (leftover) realWrite(leftover);
  realExit(0);
}

main().catch((e) => {
  process.stderr.write(`interviewkit harness failed: ${describeError(e)}\n`);
  realExit(3);
});
