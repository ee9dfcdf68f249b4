/**
 * The CodeMirror 6 setup of the room: a dark theme, the four language modes, and the
 * key bindings (Ctrl/Cmd+Enter runs). One EditorView shows one file's state at a time.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  HighlightStyle,
  bracketMatching,
  foldGutter,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { Compartment, EditorState, Prec, Transaction, type Extension } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  type KeyBinding,
} from "@codemirror/view";
import { tags as t } from "@lezer/highlight";

/** Where each file's language mode goes once loaded (one compartment serves every state). */
export const languageMode = new Compartment();

/**
 * The language mode of a path, by extension. Each mode is its own chunk, loaded when a
 * file needs it: the room becomes interactive without the parsers of the other three.
 */
export async function modeFor(path: string): Promise<Extension> {
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  if (ext === "py") return (await import("@codemirror/lang-python")).python();
  if (ext === "js" || ext === "mjs" || ext === "cjs") return (await import("@codemirror/lang-javascript")).javascript();
  if (ext === "ts") return (await import("@codemirror/lang-javascript")).javascript({ typescript: true });
  if (ext === "java") return (await import("@codemirror/lang-java")).java();
  if (["cpp", "cc", "cxx", "hpp", "h", "c"].includes(ext)) return (await import("@codemirror/lang-cpp")).cpp();
  return [];
}

const highlight = HighlightStyle.define([
  { tag: t.keyword, color: "#c792ea" },
  { tag: [t.name, t.deleted, t.character, t.macroName], color: "#d6deeb" },
  { tag: [t.function(t.variableName), t.labelName], color: "#82aaff" },
  { tag: [t.propertyName], color: "#80cbc4" },
  { tag: [t.color, t.constant(t.name), t.standard(t.name)], color: "#f78c6c" },
  { tag: [t.definition(t.name), t.separator], color: "#d6deeb" },
  { tag: [t.typeName, t.className, t.number, t.changed, t.annotation, t.modifier, t.self, t.namespace], color: "#ffcb6b" },
  { tag: [t.operator, t.operatorKeyword, t.url, t.escape, t.regexp, t.link, t.special(t.string)], color: "#89ddff" },
  { tag: [t.meta, t.comment], color: "#7f8ea3", fontStyle: "italic" },
  { tag: t.strong, fontWeight: "bold" },
  { tag: t.emphasis, fontStyle: "italic" },
  { tag: [t.atom, t.bool, t.special(t.variableName)], color: "#ff5874" },
  { tag: [t.processingInstruction, t.string, t.inserted], color: "#c3e88d" },
  { tag: t.invalid, color: "#ff5370" },
]);

const theme = EditorView.theme(
  {
    "&": { color: "#d6deeb", backgroundColor: "#0f1520", height: "100%" },
    ".cm-content": { caretColor: "#ffcc00", fontFamily: "var(--mono)" },
    ".cm-cursor, .cm-dropCursor": { borderLeftColor: "#ffcc00", borderLeftWidth: "2px" },
    "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection": {
      backgroundColor: "#264f78",
    },
    ".cm-activeLine": { backgroundColor: "#ffffff0a" },
    ".cm-gutters": { backgroundColor: "#0f1520", color: "#5c6a7f", border: "none" },
    ".cm-activeLineGutter": { backgroundColor: "#ffffff0a", color: "#c5d0e0" },
    ".cm-matchingBracket": { backgroundColor: "#ffffff22", outline: "1px solid #ffffff44" },
    ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.55" },
  },
  { dark: true },
);

/**
 * The largest paste the editor accepts (UTF-16 units). An edit travels in one channel
 * message and the server closes a connection whose message exceeds
 * `live_max_message_bytes` (512 KiB by default; a character takes up to 6 bytes in JSON): a bigger paste would be
 * re-sent forever.
 */
export const MAX_PASTE = 100_000;

/** Refuse pastes (and drops) over MAX_PASTE, telling `refused` why. */
function pasteLimit(refused: (size: number) => void): Extension {
  return EditorState.transactionFilter.of((tr) => {
    if (!tr.docChanged || !(tr.isUserEvent("input.paste") || tr.isUserEvent("input.drop"))) return tr;
    let size = 0;
    tr.changes.iterChanges((_a, _b, _c, _d, inserted) => (size += inserted.length));
    if (size <= MAX_PASTE) return tr;
    refused(size);
    return [];
  });
}

/** The extensions every file's state has (its language mode arrives in `languageMode`). */
export function baseExtensions(
  path: string,
  onRun: () => void,
  ended: () => boolean,
  pasteRefused: (size: number) => void,
): Extension {
  const run: KeyBinding = { key: "Mod-Enter", run: () => (onRun(), true), preventDefault: true };
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    foldGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    indentUnit.of(path.endsWith(".py") ? "    " : "  "),
    EditorState.tabSize.of(4),
    Prec.highest(keymap.of([run])),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    syntaxHighlighting(highlight),
    theme,
    languageMode.of([]),
    pasteLimit(pasteRefused),
    // once the session ended, local typing is refused (the server's events still apply)
    EditorState.transactionFilter.of((tr) => (tr.docChanged && ended() && !tr.annotation(Transaction.remote) ? [] : tr)),
    EditorView.contentAttributes.of({ "aria-label": `Code editor: ${path}` }),
  ];
}
