/**
 * Markdown for the statement and the assistant's replies. `html: false` makes raw HTML
 * in the source text, not markup: that is the sanitising. Links are limited to http(s)
 * and open in a new tab without a referrer.
 */
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: true, breaks: false });

md.validateLink = (url: string): boolean => /^https?:\/\//i.test(url.trim());

const defaultLink = md.renderer.rules.link_open;
md.renderer.rules.link_open = (tokens, index, options, env, self) => {
  tokens[index].attrSet("target", "_blank");
  tokens[index].attrSet("rel", "noopener noreferrer");
  return defaultLink ? defaultLink(tokens, index, options, env, self) : self.renderToken(tokens, index, options);
};

/** The HTML of a Markdown text (safe to assign to innerHTML). */
export function renderMarkdown(source: string): string {
  return md.render(source);
}
