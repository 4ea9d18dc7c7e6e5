"""Production settings plus the benchmark's ceiling view: used only by `make bench`."""

from clubsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
