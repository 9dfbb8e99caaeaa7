"""Setting up a real township's atlas from the files its offices have.

A township starts as an empty data folder (:func:`start_township`) and is filled step by
step — township boundary and the report's figures, villages, sites, industry chains, Party
organisations, indicators, plans — each step an import planned by :mod:`township_atlas.transfer`
and saved as an undoable change. :mod:`.steps` says which steps are done;
:mod:`.township` makes the township's own record from a boundary file and a form.

The 数据编辑 page's guide ("建立本乡数据") and the command ``python -m
township_atlas.onboard`` both go through these functions, so the same files give the same
folder.
"""

from township_atlas.onboard.folder import start_township
from township_atlas.onboard.steps import STEPS, Step, StepState, needs_setup, step_states
from township_atlas.onboard.township import (
    REPORTED_FIGURES,
    OnboardError,
    TownshipForm,
    boundary_feature,
    township_change,
)

__all__ = [
    "REPORTED_FIGURES",
    "STEPS",
    "OnboardError",
    "Step",
    "StepState",
    "TownshipForm",
    "boundary_feature",
    "needs_setup",
    "start_township",
    "step_states",
    "township_change",
]
