// The environment disclosure's view of a language (run by `npm test`).
import assert from "node:assert/strict";
import { test } from "node:test";

import { environmentView, splitCode, type Language } from "../src/panels/environment";

const JAVA: Language = {
  name: "java",
  title: "Java",
  version: "17.0.2",
  extensions: [".java"],
  environment: {
    version: "2",
    standard: "Java 17",
    preloaded: ["java.util.*", "java.util.stream.*"],
    notes: ["Your own `ListNode` class wins"],
    starter_note: "// java.util.* is imported for you",
  },
};

void test("the view names the toolchain, the standard, what is preloaded and the version", () => {
  assert.deepEqual(environmentView(JAVA), {
    heading: "Java (17.0.2)",
    standard: "Java 17",
    preloaded: ["java.util.*", "java.util.stream.*"],
    notes: ["Your own `ListNode` class wins"],
    footer: "Environment version 2",
  });
});

void test("no language, no environment or an empty one: nothing to show", () => {
  assert.equal(environmentView(undefined), null);
  assert.equal(environmentView({ ...JAVA, environment: undefined }), null);
  const empty = { version: "1", standard: "", preloaded: [], notes: [], starter_note: "" };
  assert.equal(environmentView({ ...JAVA, environment: empty }), null);
});

void test("backticks in a note mark code; other text stays text", () => {
  assert.deepEqual(splitCode("Your own `ListNode` class wins"), [
    { text: "Your own ", code: false },
    { text: "ListNode", code: true },
    { text: " class wins", code: false },
  ]);
  assert.deepEqual(splitCode("<b>plain</b>"), [{ text: "<b>plain</b>", code: false }]);
  assert.deepEqual(splitCode("`a``b`"), [
    { text: "a", code: true },
    { text: "b", code: true },
  ]);
});
