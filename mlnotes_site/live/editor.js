// The live cells' code editor: CodeMirror 6 with Python highlighting, bundled by
// esbuild (`make live-assets`) into one classic script that defines
// window.MlnotesEditor, so that it also loads from file:// (modules would not).
import { EditorState } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  syntaxHighlighting, HighlightStyle, indentOnInput, bracketMatching,
} from "@codemirror/language";
import { tags as t } from "@lezer/highlight";
import { python } from "@codemirror/lang-python";

// Our own colours: each has a contrast of at least 4.5:1 on the editor's background
// (WCAG 2.1 AA, checked by axe-core in tests/site/test_a11y.py); CodeMirror's default
// style draws escapes and f-string braces in #e40 (3.8:1). They are CSS variables,
// set in mlnotes-live.css for the light and the dark theme (a light default here).
const highlight = HighlightStyle.define([
  { tag: t.keyword, color: "var(--mlnotes-code-keyword, #a0114f)" },
  { tag: [t.atom, t.bool, t.null], color: "var(--mlnotes-code-atom, #0b4fa8)" },
  { tag: [t.number, t.literal], color: "var(--mlnotes-code-number, #0b5c3a)" },
  { tag: [t.string, t.special(t.string), t.regexp, t.escape],
    color: "var(--mlnotes-code-string, #8a2c00)" },
  { tag: t.comment, color: "var(--mlnotes-code-comment, #5c6269)", fontStyle: "italic" },
  { tag: [t.definition(t.variableName), t.function(t.definition(t.variableName))],
    color: "var(--mlnotes-code-definition, #1f3fb0)" },
  { tag: [t.className, t.definition(t.className), t.typeName],
    color: "var(--mlnotes-code-class, #6a2ca8)" },
  { tag: [t.special(t.variableName), t.standard(t.variableName)],
    color: "var(--mlnotes-code-atom, #0b4fa8)" },
  { tag: t.invalid, color: "var(--mlnotes-code-invalid, #b00020)", textDecoration: "underline" },
]);

// Creates an editor inside `parent` holding `code`. `onRun` is called on
// Shift+Enter, `onEscape` on Esc (the deck takes the keyboard back) and
// `onChange`, when given, after every change of the code (the reader's or setCode's).
function create(parent, code, { onRun, onEscape, label, onChange }) {
  const keys = [
    { key: "Shift-Enter", run: () => { onRun(); return true; } },
    { key: "Mod-Enter", run: () => { onRun(); return true; } },
    { key: "Escape", run: () => { onEscape(); return true; } },
    ...defaultKeymap,
    ...historyKeymap,
    indentWithTab,
  ];
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: code,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        indentOnInput(),
        bracketMatching(),
        syntaxHighlighting(highlight),
        python(),
        keymap.of(keys),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && onChange) onChange();
        }),
        // tabindex: the scrolling editor holds a control that Tab reaches (axe's
        // scrollable-region-focusable does not count contenteditable alone).
        EditorView.contentAttributes.of({
          "aria-label": label || "Python code",
          "aria-description": "Shift+Enter runs the cell; Escape leaves the editor",
          tabindex: "0",
        }),
      ],
    }),
  });
  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode: (text) => view.dispatch({
      changes: { from: 0, to: view.state.doc.length, insert: text },
    }),
    focus: () => view.focus(),
  };
}

window.MlnotesEditor = { create };
