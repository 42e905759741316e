"""Our own exception types. Their class names are the `Error` a failed state shows in Step Functions."""


class StorytellerError(Exception):
    """Base of the errors we raise on purpose; the message is meant for a person."""


class EmptyCatalogError(StorytellerError):
    """The Characters or Scenes table has nothing to pick from."""


class StoryValidationError(StorytellerError):
    """A written story broke a rule (length, rhyme, cast, scene, safety)."""


class StoryNotFoundError(StorytellerError):
    """No story with this id, or it has expired."""


class ProviderError(StorytellerError):
    """A provider failed in a way that will not get better by retrying (bad key, policy)."""


class ProviderUnavailableError(StorytellerError):
    """A provider failed in a way that may pass (throttle, 5xx, timeout): Step Functions retries."""


class NarrationInterruptedError(StorytellerError):
    """A stop of the local runtime cut a narration short; the run comes back "interrupted by a stop"."""


class InvalidEventError(StorytellerError):
    """An event that does not match our schema; it is rejected before any work is done."""


class UnknownFamilyError(StorytellerError):
    """No family with this id."""


class DuplicateError(StorytellerError):
    """A family, character or scene with this id (or name) is already there."""


class NotFoundError(StorytellerError):
    """A character or scene to remove is not there."""


class LastOfItsKindError(StorytellerError):
    """The family's last character or scene: every night's story needs one of each."""
