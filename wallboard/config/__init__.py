"""config.yaml: models, loading with line-numbered errors, and cross-section checks."""

from wallboard.config.loader import ConfigError, LoadedConfig, Problem, load_config, parse_config
from wallboard.config.models import Indicator, Label, config_model

__all__ = [
    "ConfigError",
    "Indicator",
    "Label",
    "LoadedConfig",
    "Problem",
    "config_model",
    "load_config",
    "parse_config",
]
