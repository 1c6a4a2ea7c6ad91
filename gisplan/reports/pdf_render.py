"""PDF reports: an HTML template (Jinja) laid out by WeasyPrint; maps and charts are embedded PNGs."""

from __future__ import annotations

from .formatting import environment
from .templates import Template, TemplateError


def render_html(template: Template, ctx: dict) -> str:
    env = environment(autoescape=True)
    try:
        return env.from_string(template.path.read_text(encoding="utf-8")).render(**ctx)
    except Exception as exc:
        raise TemplateError(f"template {template.name}: {exc}") from None


def render_pdf(template: Template, ctx: dict) -> bytes:
    from weasyprint import HTML  # Pango is loaded only where a PDF is made

    html = render_html(template, ctx)
    return HTML(string=html, base_url=str(template.path.parent)).write_pdf()
