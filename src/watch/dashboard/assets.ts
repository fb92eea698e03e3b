/**
 * The dashboard's one stylesheet and its one small script, served from memory with a content
 * hash in their URLs (cached for a year). The pages work without the script: it only refreshes
 * the checks list and check page in place and adds copy buttons.
 */
import { createHash } from 'node:crypto';

export const STYLESHEET = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--card:#f6f8fa;
--up:#1a7f37;--late:#9a6700;--down:#cf222e;--none:#afb8c1;--paused:#6e7781;--link:#0969da;--on-link:#fff;--warn-bg:#fff8c5}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--card:#161b22;
--up:#3fb950;--late:#d29922;--down:#f85149;--none:#484f58;--paused:#8b949e;--link:#58a6ff;--on-link:#0d1117;--warn-bg:#3b2e00}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--link)}
header.top{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.6rem 1rem;border-bottom:1px solid var(--line)}
header.top .brand{font-weight:700;text-decoration:none;color:var(--fg)}
header.top nav{display:flex;gap:1rem;flex-wrap:wrap;flex:1}
header.top form{margin:0}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.muted{color:var(--muted)}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem;margin:.5rem 0}
.announce{border-left:4px solid var(--late)}
.warn{background:var(--warn-bg);border:1px solid var(--late);border-radius:6px;padding:.1rem .4rem;font-size:.85rem;white-space:nowrap}
.status{display:inline-flex;align-items:center;gap:.35rem;font-weight:600;white-space:nowrap}
.status::before{content:"";display:inline-block;width:.75rem;height:.75rem;border-radius:50%;background:var(--none)}
.s-up::before{background:var(--up)}.s-late::before{background:var(--late);border-radius:2px}
.s-down::before{background:var(--down);border-radius:0;transform:rotate(45deg)}
.s-paused::before,.s-new::before{background:var(--paused);border-radius:1px;width:.3rem;box-shadow:.45rem 0 0 var(--paused);margin-right:.45rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.85rem;color:var(--muted);font-weight:600}
.tag{display:inline-block;border:1px solid var(--line);border-radius:1rem;padding:0 .5rem;margin:0 .2rem .2rem 0;font-size:.8rem;text-decoration:none}
.bars{display:flex;gap:1px;list-style:none;margin:.4rem 0 0;padding:0;height:2rem;align-items:stretch}
.bars li{flex:1;min-width:2px;background:var(--none);border-radius:1px}
.bars li.b-up{background:var(--up)}
.bars li.b-down{background:repeating-linear-gradient(45deg,var(--down) 0 3px,color-mix(in srgb,var(--down) 70%,var(--bg)) 3px 5px)}
.strip{height:1.1rem;width:10rem;margin:0}.strip .u{fill:var(--up)}.strip .d{fill:var(--down)}.strip .n{fill:var(--none)}
.legend{display:flex;gap:1rem;font-size:.85rem;color:var(--muted);justify-content:space-between}.legend strong{color:var(--fg);font-size:1rem}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
pre,code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.copy{position:relative}.copy button{position:absolute;top:.3rem;right:.3rem}
button,input,select{font:inherit;color:inherit}
button{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.25rem .75rem;cursor:pointer}
button.primary{background:var(--link);border-color:var(--link);color:var(--on-link)}
input[type=text],input[type=password],input[type=search],select{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.3rem .5rem}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-bottom:.5rem}
form.login{max-width:22rem;display:grid;gap:.75rem}form.login label{display:grid;gap:.2rem}
.error{color:var(--down);font-weight:600}
.row-actions{display:flex;gap:.5rem;flex-wrap:wrap;margin:.75rem 0}.row-actions form{margin:0}
footer{max-width:72rem;margin:2rem auto;padding:0 1rem;color:var(--muted);font-size:.85rem}
@media (max-width:40rem){.hide-sm{display:none}th,td{padding:.35rem .25rem}main{padding:.5rem}}
`;

/**
 * Live refresh (pages with data-refresh re-fetch themselves and swap <main>; an ended session
 * goes to the sign-in page) and copy buttons.
 */
export const SCRIPT = `(function(){
"use strict";
function copyButtons(root){root.querySelectorAll("pre[data-copy]").forEach(function(pre){
if(pre.parentNode.classList.contains("copy"))return;var w=document.createElement("div");w.className="copy";
pre.parentNode.insertBefore(w,pre);w.appendChild(pre);var b=document.createElement("button");b.type="button";
b.textContent="Copy";b.addEventListener("click",function(){navigator.clipboard.writeText(pre.textContent).then(function(){
b.textContent="Copied";setTimeout(function(){b.textContent="Copy"},1500)})});w.appendChild(b)})}
copyButtons(document);
var main=document.querySelector("main[data-refresh]");
if(main){var ms=Number(main.getAttribute("data-refresh"))||2000;
setInterval(function(){if(document.hidden)return;
fetch(location.href,{headers:{"X-Refresh":"1"},credentials:"same-origin"}).then(function(r){
if(r.redirected&&new URL(r.url).pathname==="/login"){location.href=r.url;return null}
if(!r.ok)return null;return r.text()}).then(function(t){if(!t)return;
var doc=new DOMParser().parseFromString(t,"text/html");var next=doc.querySelector("main");
if(!next)return;var cur=document.querySelector("main");var a=document.activeElement;
if(a&&cur.contains(a)&&(a.tagName==="INPUT"||a.tagName==="SELECT"))return;
cur.innerHTML=next.innerHTML;copyButtons(cur)}).catch(function(){})},ms)}
})();`;

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 10);

export const STYLESHEET_URL = `/assets/dashboard.${hash(STYLESHEET)}.css`;
export const SCRIPT_URL = `/assets/dashboard.${hash(SCRIPT)}.js`;
