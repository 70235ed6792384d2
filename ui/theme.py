"""Look and behaviour of the page, all served from this machine: system fonts only (the default theme
would fetch web fonts from Google), the sources panel's styles, and the click handler for [n] markers."""

from __future__ import annotations

import gradio as gr


def theme() -> gr.themes.Base:
    # Plain font names are system fonts; gr.themes.GoogleFont would make the browser call out.
    return gr.themes.Soft(
        font=["system-ui", "Segoe UI", "Roboto", "Noto Sans", "sans-serif"],
        font_mono=["ui-monospace", "DejaVu Sans Mono", "monospace"],
    )


CSS = """
.rag-badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.8em; margin-right: 4px; }
.rag-mode { background: #e0ecff; color: #1d3f7a; }
.rag-refused { background: #ffe4d6; color: #8a3200; }
.rag-quick { background: #eef5e6; color: #2f5a12; }
.rag-sources { max-height: 640px; overflow-y: auto; }
.rag-source { border: 1px solid #d8dde6; border-radius: 8px; padding: 8px 10px; margin: 8px 0; transition: box-shadow .3s; }
.rag-source.rag-flash { box-shadow: 0 0 0 3px #f5b400; }
.rag-source-meta { font-size: 0.8em; color: #5b6472; margin: 2px 0 6px; }
.rag-source-text { font-size: 0.92em; line-height: 1.45; white-space: pre-wrap; }
.rag-n { font-weight: 700; color: #1d3f7a; }
.rag-weak { color: #a15c00; font-size: 0.85em; }
mark.rag-support { background: #fff1a8; padding: 0 1px; }
.rag-sources-empty { color: #6b7280; padding: 12px; }
"""

# A click on an [n] link in the chat brings its source card into view instead of following the link.
# The panel may first have to switch to that answer's sources (the chat's select event), hence the retries.
HEAD = """
<script>
document.addEventListener("click", function (event) {
  const link = event.target && event.target.closest ? event.target.closest('a[href^="#src-"]') : null;
  if (!link) return;
  event.preventDefault();
  const id = link.getAttribute("href").slice(1);
  let tries = 0;
  (function reveal() {
    const card = document.getElementById(id);
    if (card) {
      card.scrollIntoView({behavior: "smooth", block: "center"});
      card.classList.add("rag-flash");
      setTimeout(function () { card.classList.remove("rag-flash"); }, 1600);
    } else if (tries++ < 10) {
      setTimeout(reveal, 150);
    }
  })();
}, true);
</script>
"""
