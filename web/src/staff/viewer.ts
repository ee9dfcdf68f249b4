/**
 * The interviewer's editors (live view and replay): the room's editor setup (theme,
 * language modes) made read-only, plus the candidate's caret and selection drawn from
 * their `cursor`/`selection` events (a caret widget and a mark decoration).
 */
import { EditorState, StateEffect, StateField, type Extension } from "@codemirror/state";
import { Decoration, EditorView, WidgetType, type DecorationSet } from "@codemirror/view";

import { baseExtensions } from "../editor";

/** The candidate's selection in UTF-16 positions of the shown document (null: none known). */
export type Peer = { anchor: number; head: number } | null;

export const setPeer = StateEffect.define<Peer>({
  map: (value, mapping) => value && { anchor: mapping.mapPos(value.anchor), head: mapping.mapPos(value.head) },
});

class Caret extends WidgetType {
  override eq(): boolean {
    return true;
  }

  toDOM(): HTMLElement {
    const caret = document.createElement("span");
    caret.className = "cm-peer-caret";
    caret.setAttribute("aria-hidden", "true");
    caret.dataset.testid = "peer-caret";
    return caret;
  }
}

const caret = Decoration.widget({ widget: new Caret(), side: 1 });
const selection = Decoration.mark({ class: "cm-peer-selection", attributes: { "data-testid": "peer-selection" } });

/** Where the candidate's caret is; it moves with the text typed before it. */
export const peerField = StateField.define<Peer>({
  create: () => null,
  update(value, tr) {
    let next = value && tr.docChanged ? { anchor: tr.changes.mapPos(value.anchor), head: tr.changes.mapPos(value.head) } : value;
    for (const effect of tr.effects) if (effect.is(setPeer)) next = effect.value;
    return next;
  },
  provide: (field) =>
    EditorView.decorations.from(field, (peer): DecorationSet => {
      if (!peer) return Decoration.none;
      return peerDecorations(peer, Number.MAX_SAFE_INTEGER);
    }),
});

function peerDecorations(peer: { anchor: number; head: number }, length: number): DecorationSet {
  const head = Math.min(peer.head, length);
  const anchor = Math.min(peer.anchor, length);
  const from = Math.min(head, anchor);
  const to = Math.max(head, anchor);
  const ranges = [caret.range(head)];
  if (to > from) ranges.push(selection.range(from, to));
  return Decoration.set(ranges, true);
}

/** Clamp the peer to the document (an event may name an offset past a later edit). */
const clampPeer = EditorState.transactionExtender.of((tr) => {
  const length = tr.newDoc.length;
  for (const effect of tr.effects) {
    if (effect.is(setPeer) && effect.value && (effect.value.head > length || effect.value.anchor > length)) {
      return { effects: setPeer.of({ anchor: Math.min(effect.value.anchor, length), head: Math.min(effect.value.head, length) }) };
    }
  }
  return null;
});

/** A file's extensions in a staff viewer: the room's, read-only, with the peer's caret. */
export function viewerExtensions(path: string, label: string): Extension {
  return [
    baseExtensions(
      path,
      () => undefined,
      () => false,
      () => undefined,
    ),
    EditorState.readOnly.of(true),
    EditorView.editable.of(false),
    EditorView.contentAttributes.of({ "aria-label": `${label}: ${path}` }),
    peerField,
    clampPeer,
  ];
}
