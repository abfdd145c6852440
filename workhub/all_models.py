"""Import every models module so the metadata (Alembic, tests) knows every table."""

from surveys import models as surveys_models  # noqa: F401
from transcription import models as transcription_models  # noqa: F401
from workhub.auth import audit_chain  # noqa: F401
from workhub.auth import models as auth_models  # noqa: F401
from workhub.devices import models as devices_models  # noqa: F401
from workhub.jobs import models as jobs_models  # noqa: F401
from workhub.meetings import models as meetings_models  # noqa: F401
from workhub.notify import models as notify_models  # noqa: F401
from workhub.online_meetings import models as online_meetings_models  # noqa: F401
from workhub.org import models as org_models  # noqa: F401
from workhub.telework import models as telework_models  # noqa: F401
