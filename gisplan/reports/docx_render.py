"""DOCX reports from a DOCX template with Jinja tags (docxtpl): ``{{ … }}`` in paragraphs,
``{%tr for … %}`` rows in tables; maps and charts are ``{{ m.image }}`` of ``maps`` / ``charts``."""

from __future__ import annotations

import io

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from .formatting import environment
from .templates import Template, TemplateError

MAP_WIDTH = Mm(165)
CHART_WIDTH = Mm(150)


def render_docx(template: Template, ctx: dict) -> bytes:
    tpl = DocxTemplate(str(template.path))
    maps = [{**m, "image": InlineImage(tpl, io.BytesIO(m["png"]), width=MAP_WIDTH)} for m in ctx["maps"]]
    charts = [{**c, "image": InlineImage(tpl, io.BytesIO(c["png"]), width=CHART_WIDTH)} for c in ctx["charts"]]
    gap_maps = [{**g, "image": InlineImage(tpl, io.BytesIO(g["png"]), width=MAP_WIDTH)} for g in ctx["gap_maps"]]
    try:
        tpl.render({**ctx, "maps": maps, "charts": charts, "gap_maps": gap_maps},
                   jinja_env=environment(autoescape=True))
    except Exception as exc:
        raise TemplateError(f"template {template.name}: {exc}") from None
    props = tpl.docx.core_properties
    props.comments = f"gisplan report; template {ctx['template']['label']}"
    props.title = f"{ctx['title']['uk']}: {ctx['program']['title']}"[:250]
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()
