from fastapi.templating import Jinja2Templates

from gisplan.csp import csp_nonce
from gisplan.settings import path_settings

templates = Jinja2Templates(directory=str(path_settings().web_dir / "templates"))


def _csrf_token(request) -> str:
    from .csrf import csrf_for_request

    return csrf_for_request(request)


templates.env.globals["csrf_token"] = _csrf_token  # forms of signed-in pages: {{ csrf_token(request) }}
templates.env.globals["csp_nonce"] = csp_nonce  # inline scripts: <script nonce="{{ csp_nonce() }}">
