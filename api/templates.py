from fastapi.templating import Jinja2Templates

from gisplan.settings import path_settings

templates = Jinja2Templates(directory=str(path_settings().web_dir / "templates"))
