// Writes the test vectors for mlbench's Llama 3 tokenizer, and times Tokenizers.js on the
// benchmark corpus. Tokenizers.js (@huggingface/tokenizers) is an implementation independent of
// ours, so agreeing with it on a broad corpus is evidence that we match Hugging Face.
//
//   node tokenizer-vectors.mjs vectors TOKENIZER_JSON OUT_DIR
//   node tokenizer-vectors.mjs bench TOKENIZER_JSON CORPUS_JSONL [RUNS]
//   node tokenizer-vectors.mjs fuzz TOKENIZER_JSON OUT_FILE [COUNT] [SEED]
//   node tokenizer-vectors.mjs encode TOKENIZER_JSON TEXTS_JSONL
//
// encode prints, for each line of TEXTS_JSONL (a JSON string), one line {"ids", "plain_ids",
// "decoded"}: the ids with and without special tokens, and the ids decoded again. The tests use
// it to check a tokenizer.json we wrote (make-model's trained one) against Tokenizers.js.
//
// fuzz writes vectors in the encode format for COUNT random strings from the character pool,
// for a one-off wider check (copy over data/llama3_encode.jsonl, run the tests, restore).
//
// The npm packages are looked up under $MLBENCH_NPM_CACHE (scripts/tokenizer-vectors.sh sets it),
// never in the source tree.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const cache = process.env.MLBENCH_NPM_CACHE;
if (!cache) throw new Error("MLBENCH_NPM_CACHE is not set; run scripts/tokenizer-vectors.sh");
const { Tokenizer } = createRequire(path.join(cache, "package.json"))("@huggingface/tokenizers");

function loadTokenizer(tokenizerJson) {
  const config = path.join(path.dirname(tokenizerJson), "tokenizer_config.json");
  return new Tokenizer(
    JSON.parse(fs.readFileSync(tokenizerJson, "utf8")),
    fs.existsSync(config) ? JSON.parse(fs.readFileSync(config, "utf8")) : {},
  );
}

// A small deterministic PRNG, so the corpus is the same on every machine.
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "the of and to in a is that for on said was with he it as at by from his an be has have " +
  "had are were which but not this who they after been their one also its two more first " +
  "new year than people over would police government minister president court city state " +
  "officials told reporters Tuesday Wednesday Thursday percent million billion according " +
  "report investigation election campaign company market shares economy hospital children " +
  "London Washington Beijing McDonald's O'Neill Zürich São Paulo naïve café résumé façade " +
  "don't can't won't it's I'm we're they've she'll he'd YOU'RE WE'VE SHE'LL"
).split(" ");

function newsParagraph(rand, sentences) {
  const out = [];
  for (let s = 0; s < sentences; s++) {
    const n = 6 + Math.floor(rand() * 18);
    const words = [];
    for (let i = 0; i < n; i++) {
      let w = WORDS[Math.floor(rand() * WORDS.length)];
      const r = rand();
      if (r < 0.04) w = String(Math.floor(rand() * 100000));
      else if (r < 0.06) w = `$${(rand() * 1000).toFixed(2)}`;
      else if (r < 0.08) w = `"${w}"`;
      else if (r < 0.1) w = `(${w})`;
      else if (r < 0.14) w += ",";
      words.push(w);
    }
    const end = [".", ".", ".", "?", "!", "...", ":"][Math.floor(rand() * 7)];
    out.push(words.join(" ").replace(/^./, (c) => c.toUpperCase()) + end);
  }
  return out.join(" ");
}

// Strings drawn from a pool that mixes every class the split regex distinguishes: letters of
// several scripts, digits, punctuation, all kinds of whitespace, marks, emoji, special tokens.
const POOL = [
  "a", "b", "Z", "é", "ß", "ſ", "K", "İ", "ı", "я", "Ж", "中", "文", "日本", "한", "ا", "ע", "ह", "ि",
  "0", "1", "7", "٣", "Ⅻ", "½", "²", "'", "'s", "'S", "'ll", "'LL", "'d", "'Ve", "’", "\"", "!", "?",
  ".", ",", "-", "—", "…", "(", ")", "[", "{", "#", "@", "$", "%", "&", "*", "/", "\\", "_", "~",
  " ", " ", " ", "  ", "\t", "\n", "\r", "\r\n", "\n\n", "\u00a0", "\u3000", "\u2028", "\u200b",
  "\u0301", "\u0308", "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "<|eot_id|>", "<|begin_of_text|>", "<|", "|>", "<",
  "<|start_header_id|>", "<|reserved_special_token_7|>",
];

function poolString(rand, length) {
  let s = "";
  for (let i = 0; i < length; i++) s += POOL[Math.floor(rand() * POOL.length)];
  return s;
}

function corpus() {
  const texts = [
    "",
    " ",
    "Hello world",
    "Hello, world! How are you today?",
    // Whitespace runs, tabs and newlines.
    "a  b   c    d",
    "     leading and trailing     ",
    "tab\tseparated\t\tvalues\t",
    "line one\nline two\n\nline four\n\n\n",
    "windows\r\nline\r\n\r\nends\r",
    " \n \n  \n\t\n",
    "trailing spaces before newline   \nnext",
    "\n\n\nstarts with newlines",
    "x\u00a0y\u00a0\u00a0z \u3000 w\u2028v\u2029u",
    // Digits in groups of three.
    "1 12 123 1234 12345 123456 1234567",
    "3.14159265358979 and 2,718,281,828",
    "Phone: +1-555-0100 ext. 12345; ZIP 90210-1234",
    "year 2024, 1990s, 4th, 21st, 100%",
    "٣٤٥ ٦٧٨٩ and Ⅻ and ½ and x²",
    // Contractions in any case.
    "I'm you're he's she'll we'd they've it's don't can't won't",
    "I'M YOU'RE HE'S SHE'LL WE'D THEY'VE IT'S DON'T",
    "i'M yOu'Re hE'S sHe'Ll wE'd ThEy'Ve",
    "'s 't 're 've 'm 'll 'd 'S 'T 'RE 'VE 'M 'LL 'D",
    "rock'n'roll o'clock y'all ma'am 'tis '90s",
    "It’s a typographic apostrophe’s test",
    // Punctuation runs.
    "Wait... what?!?! No!!! ---- ==== ~~~~ ****",
    "([{<>}]) ;;; ::: ,,, ... !!! ??? ''' \"\"\"",
    "email@example.com https://example.org/path?q=1&r=2#frag",
    "C++ and C# and F# and .NET; a->b, a=>b, a::b, a<=b, a!=b",
    "def f(x):\n    return x**2  # comment\n\nprint(f(3))\n",
    "<html><body><p class=\"x\">Hi</p></body></html>",
    "$100.00 €50 £30 ¥1000 ₹500 — prices—dashes–en-dashes",
    "punct\n\n!!!\n\nmore",
    "!!!\n\n\n",
    // CJK, other scripts.
    "中文分词测试，这是一个句子。",
    "日本語のテキストとカタカナ、ひらがな。",
    "한국어 텍스트입니다.",
    "Привет, мир! Это тест.",
    "مرحبا بالعالم",
    "שלום עולם",
    "नमस्ते दुनिया",
    "Ελληνικά γράμματα",
    "ไทย ภาษา",
    // Emoji.
    "I love 🍕 and 🍣! 😀😃😄",
    "👍🏽 👨‍👩‍👧‍👦 🇫🇷🇩🇪 ❤️ ✅",
    // Combining marks and normalisation forms (no normaliser: each must survive as is).
    "e\u0301 vs \u00e9; n\u0303 vs \u00f1; a\u0308\u0301",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dalgo",
    "ﬁ ligature, Å angstrom, Ω ohm, ℌ",
    "zero\u200bwidth\u200cjoiner\u200dand\ufeffbom",
    // Special-token text inside user text.
    "<|begin_of_text|>Hello",
    "Hello<|end_of_text|>",
    "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>",
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nYou are helpful.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    "<|eot_id|><|eot_id|>  <|eot_id|>\n<|eot_id|>",
    "not special: <|eot_id| and <|eot_id and |eot_id|> and <|EOT_ID|>",
    "<|reserved_special_token_0|><|reserved_special_token_250|><|reserved_special_token_251|>",
    "<|python_tag|>print('hi')<|eom_id|>",
    "a<|finetune_right_pad_id|>b",
    // The MLPerf prompt shape.
    "Summarize the following news article in 128 tokens. Please output the summary only, without any other text.\n\nArticle:\n(CNN) -- The quick brown fox jumped over the lazy dog.\n\nSummary:",
  ];

  const rand = prng(20241123);
  for (let i = 0; i < 40; i++) texts.push(newsParagraph(rand, 3 + Math.floor(rand() * 8)));
  for (let i = 0; i < 300; i++) texts.push(poolString(rand, 1 + Math.floor(rand() * 40)));

  // Very long inputs: a long article, a long run of one character, a long word, long digits.
  let article = "";
  for (let i = 0; i < 30; i++) article += newsParagraph(rand, 8) + "\n\n";
  texts.push(article);
  texts.push(" ".repeat(5000));
  texts.push("\n".repeat(3000));
  texts.push("a".repeat(10000));
  texts.push("ab".repeat(4000));
  texts.push("9".repeat(5000));
  texts.push("!".repeat(4000));
  texts.push("中".repeat(3000));
  texts.push("😀".repeat(1000));
  texts.push(poolString(rand, 5000));
  return texts;
}

// Id sequences to decode, beyond the encodings: cut multi-byte characters in half (invalid
// UTF-8 must become U+FFFD as Python's errors="replace" would), stray bytes, specials.
function decodeCases(tok) {
  const cases = [];
  const emoji = tok.encode("😀", { add_special_tokens: false }).ids;
  const cjk = tok.encode("中文", { add_special_tokens: false }).ids;
  const byteId = (b) => {
    // The byte-level alphabet: the token for a single byte is the byte's mapped character.
    const mapped = [];
    for (let c = 33; c <= 126; c++) mapped.push(c);
    for (let c = 161; c <= 172; c++) mapped.push(c);
    for (let c = 174; c <= 255; c++) mapped.push(c);
    let next = 256;
    const table = new Map();
    for (let x = 0; x < 256; x++) table.set(x, mapped.includes(x) ? x : next++);
    return tok.token_to_id(String.fromCodePoint(table.get(b)));
  };
  const bytes = (list) => list.map(byteId);
  cases.push(bytes([0xf0, 0x9f, 0x98]));
  cases.push(bytes([0xf0, 0x9f, 0x98]).concat(tok.encode(" ok", { add_special_tokens: false }).ids));
  cases.push(bytes([0xe4, 0xb8]).concat(bytes([0xe4, 0xb8, 0xad])));
  cases.push(bytes([0x80, 0x80, 0xbf]));
  cases.push(bytes([0xc0, 0xaf, 0xe0, 0x80, 0xaf]));
  cases.push(bytes([0xed, 0xa0, 0x80, 0x41]));
  cases.push(bytes([0xf4, 0x90, 0x80, 0x80]));
  cases.push(bytes([0xf8, 0x88, 0x80, 0x80, 0x80]));
  cases.push(bytes([0xff, 0xfe, 0x41]));
  cases.push(bytes([0xe2, 0x82]).concat(bytes([0x41])));
  cases.push(emoji.slice(0, 1).concat([128009], emoji));
  cases.push([128000].concat(cjk, [128009, 128001]));
  cases.push([128006, 882, 128007, 271, 9906, 128009]);
  for (const s of ["Hello , world .", "I do n't know , he 's here .", "a ' b ' c", "Yes ! No ? Ok ."]) {
    cases.push(tok.encode(s, { add_special_tokens: false }).ids);
  }
  return cases;
}

function writeVectors(tokenizerJson, outDir) {
  const tok = loadTokenizer(tokenizerJson);
  fs.mkdirSync(outDir, { recursive: true });
  const encodeLines = [];
  for (const text of corpus()) {
    for (const add of [true, false]) {
      const ids = tok.encode(text, { add_special_tokens: add }).ids;
      encodeLines.push(JSON.stringify({ text, add_special_tokens: add, ids }));
    }
  }
  const decodeLines = [];
  for (const ids of decodeCases(tok)) {
    for (const skip of [false, true]) {
      for (const clean of [false, true]) {
        const text = tok.decode(ids, { skip_special_tokens: skip, clean_up_tokenization_spaces: clean });
        decodeLines.push(JSON.stringify({ ids, skip_special_tokens: skip, clean_up_tokenization_spaces: clean, text }));
      }
    }
  }
  fs.writeFileSync(path.join(outDir, "llama3_encode.jsonl"), encodeLines.join("\n") + "\n");
  fs.writeFileSync(path.join(outDir, "llama3_decode.jsonl"), decodeLines.join("\n") + "\n");
  console.log(`wrote ${encodeLines.length} encode and ${decodeLines.length} decode vectors to ${outDir}`);
}

// FNV-1a over the ids, as tokenizer_bench computes it: equal checksums mean equal ids.
function checksum(hash, ids) {
  for (const id of ids) hash = Math.imul((hash ^ id) >>> 0, 16777619) >>> 0;
  return hash;
}

// Times Tokenizers.js on the articles tokenizer_bench writes (--write-corpus), so both sides
// read the same bytes. Warm-up first, then the minimum of the timed runs.
function bench(tokenizerJson, corpusFile, runs = 2) {
  const tok = loadTokenizer(tokenizerJson);
  const articles = fs.readFileSync(corpusFile, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
  const bytes = articles.reduce((n, a) => n + Buffer.byteLength(a, "utf8"), 0);
  for (let i = 0; i < 300; i++) tok.encode(articles[i % articles.length]);
  let best = Infinity;
  let tokens = 0;
  let hash = 0;
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    tokens = 0;
    hash = 2166136261;
    for (const a of articles) {
      const ids = tok.encode(a).ids;
      tokens += ids.length;
      hash = checksum(hash, ids);
    }
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  const hex = (h) => h.toString(16).padStart(8, "0");
  console.log(
    `tokenizers.js articles: ${articles.length} articles, ${(bytes / 1e6).toFixed(1)} MB, ` +
      `${tokens} tokens with BOS (checksum ${hex(hash)}), ${best.toFixed(2)} s, ` +
      `${(bytes / 1e6 / best).toFixed(2)} MB/s`,
  );
  // The same long text as tokenizer_bench: the articles joined, cut to 10 MB of bytes on a
  // character boundary.
  let buffer = Buffer.from(articles.join("\n\n") + "\n\n", "utf8");
  let cut = Math.min(buffer.length, 10_000_000);
  while (cut > 0 && cut < buffer.length && (buffer[cut] & 0xc0) === 0x80) cut--;
  const long = buffer.subarray(0, cut).toString("utf8");
  const start = process.hrtime.bigint();
  const longIds = tok.encode(long).ids;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `tokenizers.js long text: ${(cut / 1e6).toFixed(1)} MB, ${longIds.length} tokens ` +
      `(checksum ${hex(checksum(2166136261, longIds))}), ${seconds.toFixed(2)} s, ` +
      `${(cut / 1e6 / seconds).toFixed(2)} MB/s`,
  );
}

function fuzz(tokenizerJson, outFile, count, seed) {
  const tok = loadTokenizer(tokenizerJson);
  const rand = prng(seed);
  const lines = [];
  for (let i = 0; i < count; i++) {
    const text = poolString(rand, 1 + Math.floor(rand() * 200));
    const add = rand() < 0.5;
    lines.push(JSON.stringify({ text, add_special_tokens: add, ids: tok.encode(text, { add_special_tokens: add }).ids }));
  }
  fs.writeFileSync(outFile, lines.join("\n") + "\n");
  console.log(`wrote ${count} fuzz vectors to ${outFile}`);
}

function encodeTexts(tokenizerJson, textsFile) {
  const tok = loadTokenizer(tokenizerJson);
  const lines = fs.readFileSync(textsFile, "utf8").split("\n").filter((l) => l.length > 0);
  for (const line of lines) {
    const text = JSON.parse(line);
    const ids = tok.encode(text, { add_special_tokens: true }).ids;
    const plain = tok.encode(text, { add_special_tokens: false }).ids;
    const decoded = tok.decode(plain, { skip_special_tokens: false });
    process.stdout.write(JSON.stringify({ ids, plain_ids: plain, decoded }) + "\n");
  }
}

const [mode, tokenizerJson, target, arg1, arg2] = process.argv.slice(2);
if (mode === "vectors") writeVectors(tokenizerJson, target);
else if (mode === "bench") bench(tokenizerJson, target, arg1 ? Number(arg1) : 2);
else if (mode === "encode") encodeTexts(tokenizerJson, target);
else if (mode === "fuzz") fuzz(tokenizerJson, target, arg1 ? Number(arg1) : 20000, arg2 ? Number(arg2) : 1);
else throw new Error("usage: tokenizer-vectors.mjs vectors|bench|fuzz|encode TOKENIZER_JSON TARGET ...");
