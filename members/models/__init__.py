from members.models.accounts import Profile, User, UserManager
from members.models.actionkeys import ActionKey
from members.models.blocks import Assignment, PlannedSession
from members.models.coaching import StepOverride, TrainerNote
from members.models.invitations import Invitation
from members.models.outbox import EmailDelivery
from members.models.outcomes import Activity, ActivityScore, AreaPain, CheckIn
from members.models.questions import Question, Reply
from members.models.ratelimit import RateCount
from members.models.stamps import PageStamp
from members.models.standings import BlockStanding
from members.models.workouts import KnobSetting, PainFlag, SetLog, Workout

__all__ = [
    "ActionKey",
    "Activity",
    "ActivityScore",
    "AreaPain",
    "Assignment",
    "BlockStanding",
    "CheckIn",
    "EmailDelivery",
    "Invitation",
    "KnobSetting",
    "PageStamp",
    "PainFlag",
    "PlannedSession",
    "Profile",
    "Question",
    "RateCount",
    "Reply",
    "SetLog",
    "StepOverride",
    "TrainerNote",
    "User",
    "UserManager",
    "Workout",
]
