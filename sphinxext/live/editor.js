// The live cells' code editor: CodeMirror 6 with Python highlighting, bundled by
// esbuild (`make live-assets`) into one classic script that defines
// window.MlnotesEditor, so that it also loads from file:// (modules would not).
import { EditorState } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  syntaxHighlighting, defaultHighlightStyle, indentOnInput, bracketMatching,
} from "@codemirror/language";
import { python } from "@codemirror/lang-python";

// Creates an editor inside `parent` holding `code`. `onRun` is called on
// Shift+Enter and `onEscape` on Esc (the deck takes the keyboard back).
function create(parent, code, { onRun, onEscape, label }) {
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
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        python(),
        keymap.of(keys),
        EditorView.contentAttributes.of({ "aria-label": label || "Python code" }),
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
