/**
 * Run notes as safe HTML: markdown (GitHub flavour) by `marked`, then sanitised by
 * DOMPurify (no scripts, event handlers, iframes, forms or `javascript:` links, and no
 * `style`, `class` or `id` attributes: a note — possibly inside an imported run — must not
 * be able to lay an invisible full-window link over the app or borrow the app's own
 * classes for that). Links open
 * outside the app window (target _blank, no opener); the window's CSP blocks remote images
 * anyway. Where no DOM exists (unit tests under Node) the notes come back as escaped text.
 */
import DOMPurify from 'dompurify';
import { marked } from 'marked';

let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

export function escapeHtml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/** HTML that is safe to put in the page, for markdown `source`. */
export function renderMarkdown(source: string): string {
  if (!DOMPurify.isSupported) return `<pre>${escapeHtml(source)}</pre>`;
  hook();
  const html = marked.parse(source, { async: false, gfm: true, breaks: true });
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select'],
    FORBID_ATTR: ['style', 'class', 'id'],
  });
}
