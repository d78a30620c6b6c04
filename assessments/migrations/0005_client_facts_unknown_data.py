"""Existing rows: a value equal to the old default becomes "not recorded".

Until now `billing_model` defaulted to hourly, `referrals_sent` to 0, and
`has_written_contract` and `long_standing` to "no". Nothing in the record tells a
value someone chose from a default nobody touched, so:
- billing model "hourly" -> not recorded; fixed price and retainer were chosen, kept;
- referrals sent 0 -> not recorded; any other count was typed in, kept;
- written contract "no" -> not recorded; "yes" kept;
- long-standing "no" -> not recorded; "yes" kept;
- a draft review's long-standing "no" -> not recorded (the weighing asks again);
  completed reviews are never changed: their verdict was decided on what they say.

The reverse puts the old defaults back where a value is not recorded.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Client = apps.get_model("assessments", "Client")
    Assessment = apps.get_model("assessments", "Assessment")
    Client.objects.filter(billing_model="hourly").update(billing_model="")
    Client.objects.filter(referrals_sent=0).update(referrals_sent=None)
    Client.objects.filter(has_written_contract=False).update(has_written_contract=None)
    Client.objects.filter(long_standing=False).update(long_standing=None)
    Assessment.objects.filter(status="draft", long_standing=False).update(long_standing=None)


def backwards(apps, schema_editor):
    Client = apps.get_model("assessments", "Client")
    Assessment = apps.get_model("assessments", "Assessment")
    Client.objects.filter(billing_model="").update(billing_model="hourly")
    Client.objects.filter(referrals_sent__isnull=True).update(referrals_sent=0)
    Client.objects.filter(has_written_contract__isnull=True).update(has_written_contract=False)
    Client.objects.filter(long_standing__isnull=True).update(long_standing=False)
    Assessment.objects.filter(long_standing__isnull=True).update(long_standing=False)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_client_facts_not_recorded")]

    operations = [migrations.RunPython(forwards, backwards)]
