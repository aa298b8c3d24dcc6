# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the module image_catalog with the connection options of ``module_defaults: group/aws`` (see plugin_utils)."""

from __future__ import annotations

from ansible_collections.gamestack.aws.plugins.plugin_utils.aws_group_defaults import ActionModule as _Base


class ActionModule(_Base):
    pass
