// In-browser check of a public ledger proof bundle (app/ledger/public.py), the same checks as
// `python -m app.ledger.verify`: the downloaded file's SHA-256 against the entry, the entry's canonical form,
// the RFC 9162 inclusion proof up to the checkpoint's root, and the checkpoint's Ed25519 signature by a key
// the user trusts. SHA-256 via WebCrypto; Ed25519 via WebCrypto where the browser has it, else the vendored
// @noble/ed25519. Nothing leaves the browser.
import * as noble from "../vendor/noble-ed25519/index.js";

const enc = new TextEncoder();

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}
function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) { out.set(p, i); i += p.length; }
  return out;
}
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
function b64(text) {
  const s = atob(text);
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const leafHash = (data) => sha256(concat(new Uint8Array([0]), data));
const nodeHash = (l, r) => sha256(concat(new Uint8Array([1]), l, r));

// Canonical JSON as app/ledger/canonical.py writes it: sorted keys, no whitespace, UTF-8 unescaped.
function canonical(value) {
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  if (value && typeof value === "object") {
    return "{" + Object.keys(value).sort().map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}

// RFC 9162 §2.1.3.2: verify an inclusion proof.
async function rootFromInclusion(index, size, leaf, path) {
  if (index >= size) throw new Error("索引超出树的大小");
  let fn = index, sn = size - 1, r = leaf;
  for (const p of path) {
    if (sn === 0) throw new Error("证明过长");
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) { while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error("证明过短");
  return r;
}

// Go note verifier key: name+hash+base64(0x01 || 32-byte key).
async function parseKey(vkey) {
  const parts = vkey.trim().split("+");
  if (parts.length < 3) throw new Error("公钥格式不正确");
  const name = parts[0], hashHex = parts[1], raw = b64(parts.slice(2).join("+"));
  if (raw.length !== 33 || raw[0] !== 1) throw new Error("不是 Ed25519 公钥");
  const pub = raw.slice(1);
  const id = await sha256(concat(enc.encode(name + "\n"), new Uint8Array([1]), pub));
  if (hex(id.slice(0, 4)) !== hashHex) throw new Error("公钥的哈希与公钥不符");
  const fp = "SHA256:" + btoa(String.fromCharCode(...(await sha256(pub)))).replace(/=+$/, "");
  return { name, keyHash: hashHex, pub, fingerprint: fp, text: vkey.trim() };
}

async function ed25519Verify(pub, sig, msg) {
  try {
    const key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify({ name: "Ed25519" }, key, sig, msg);
  } catch (e) {
    if (e && e.name === "NotSupportedError" || e instanceof TypeError || (e && /Unrecognized|not supported/i.test(e.message))) {
      return noble.verifyAsync(sig, msg, pub, { zip215: false });
    }
    throw e;
  }
}

function splitNote(signed) {
  const cut = signed.lastIndexOf("\n\n");
  if (!signed.endsWith("\n") || cut < 0) throw new Error("检查点格式不正确");
  const text = signed.slice(0, cut + 1);
  const sigs = signed.slice(cut + 2, -1).split("\n").map((line) => {
    if (!line.startsWith("\u2014 ")) throw new Error("签名行格式不正确");
    const [name, blob] = line.slice(2).split(" ");
    const raw = b64(blob);
    return { name, keyHash: hex(raw.slice(0, 4)), sig: raw.slice(4) };
  });
  return { text, sigs };
}

// keys: [{vkey, from_size, until_size}] the user trusts. Returns a list of [ok, message] lines; throws on
// the first failed check.
export async function verifyBundle(bundle, keys, fileBytes) {
  const out = [];
  const entryText = bundle.entry;
  const entry = JSON.parse(entryText);
  if (canonical(entry) !== entryText) throw new Error("记录不是规范 JSON（内容被改动）");
  if (entry.seq !== bundle.index) throw new Error(`记录写的序号是 ${entry.seq}，证明包写的是 ${bundle.index}`);
  out.push(`记录第 ${bundle.index} 条格式正确（${entry.kind}，${entry.at}）`);
  if (fileBytes) {
    const digest = hex(await sha256(fileBytes));
    if (!entry.payload || digest !== entry.payload.sha256) {
      throw new Error(`文件的 SHA-256（${digest}）与台账记录（${entry.payload && entry.payload.sha256}）不符`);
    }
    out.push(`文件的 SHA-256 与台账记录一致：${digest}`);
  }
  const { text, sigs } = splitNote(bundle.checkpoint);
  const lines = text.slice(0, -1).split("\n");
  const size = Number(lines[1]);
  const root = b64(lines[2]);
  if (lines[0] !== bundle.origin) throw new Error("检查点的日志标识不符");
  if (size !== bundle.tree_size) throw new Error("检查点的树大小与证明包不符");
  const leaf = await leafHash(enc.encode(entryText));
  const computed = await rootFromInclusion(bundle.index, size, leaf, bundle.inclusion_proof.map(b64));
  if (!eq(computed, root)) throw new Error("包含证明不成立：该记录不在签名的默克尔树中");
  out.push(`包含证明成立：该记录在 ${size} 条记录的树中（${bundle.inclusion_proof.length} 个哈希）`);
  let signer = null;
  for (const k of keys) {
    const key = await parseKey(k.vkey);
    const sig = sigs.find((s) => s.name === key.name && s.keyHash === key.keyHash);
    if (!sig) continue;
    if (!(await ed25519Verify(key.pub, sig.sig, enc.encode(text)))) throw new Error("检查点签名无效");
    if (size < (k.from_size || 0) || (k.until_size != null && size > k.until_size)) {
      throw new Error("检查点由一把在该树大小时已失效的密钥签名");
    }
    signer = key;
    break;
  }
  if (!signer) throw new Error("检查点不是由您信任的任何密钥签名");
  out.push(`检查点签名有效：签名密钥 ${signer.name}+${signer.keyHash}，指纹 ${signer.fingerprint}`);
  return out;
}

// --- the page ---------------------------------------------------------------------------------------------
function show(list, lines, ok, message) {
  list.innerHTML = "";
  for (const l of lines) {
    const li = document.createElement("li");
    li.textContent = "✓ " + l;
    list.appendChild(li);
  }
  const verdict = document.getElementById("verdict");
  verdict.textContent = message;
  verdict.className = ok ? "flash flash-success" : "flash flash-error";
  verdict.hidden = false;
}

async function readFile(input) {
  const f = input.files && input.files[0];
  return f ? new Uint8Array(await f.arrayBuffer()) : null;
}

async function run() {
  const form = document.getElementById("verify-form");
  const list = document.getElementById("checks");
  let bundle = null;
  try {
    const uploaded = await readFile(form.elements.bundle);
    if (uploaded) bundle = JSON.parse(new TextDecoder().decode(uploaded));
    else if (form.dataset.bundleUrl) bundle = await (await fetch(form.dataset.bundleUrl)).json();
    if (!bundle || !bundle.entry) throw new Error("请选择证明包（JSON 文件）");
    let keys;
    const pinned = form.elements.key.value.trim();
    if (pinned) {
      keys = pinned.split("\n").map((l) => l.trim().split(/\s+/)[0]).filter((w) => w.includes("+"))
        .map((vkey) => ({ vkey }));
    } else {
      const hist = await (await fetch(form.dataset.keysUrl)).json();
      keys = hist.keys.map((k) => ({ vkey: k.verifier_key, from_size: k.from_size, until_size: k.until_size }));
    }
    const lines = await verifyBundle(bundle, keys, await readFile(form.elements.file));
    show(list, lines, true, pinned ? "验证通过（使用您提供的公钥）" :
      "验证通过（使用本网站公布的公钥：请将指纹与其他渠道公布的指纹核对，或粘贴您保存的公钥）");
  } catch (e) {
    show(list, [], false, "验证未通过：" + (e && e.message ? e.message : e));
  }
}

if (typeof document !== "undefined") {  // (also imported by the Node test of verifyBundle)
  const form = document.getElementById("verify-form");
  if (form) form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
}
