"""The app's settings, with the bench's reference pages mounted (benchsite.urls)."""

import copy
from pathlib import Path

from association.settings import *  # noqa: F403
from association.settings import TEMPLATES as _APP_TEMPLATES

ROOT_URLCONF = "benchsite.urls"
INSTALLED_APPS = [*INSTALLED_APPS]  # noqa: F405

TEMPLATES = copy.deepcopy(_APP_TEMPLATES)
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0].get("DIRS", []), Path(__file__).parent / "templates"]
