import django, os
os.environ["CALFCHECK_TESTING"]="true"; os.environ["DJANGO_SETTINGS_MODULE"]="calfsite.settings"
django.setup()
from django.test.utils import setup_test_environment; setup_test_environment()
from django.test import Client
c = Client(enforce_csrf_checks=True, raise_request_exception=True)
c.get("/")
tok = c.cookies.get("csrftoken")
print("tok", tok and tok.value)
for ct, body in [("application/x-www-form-urlencoded; charset=utf-16", b""), ("application/x-www-form-urlencoded; charset=utf-16", b"a=b")]:
    try:
        r = c.generic("POST", "/", body, content_type=ct)
        print(r.status_code)
    except Exception as e:
        import traceback; traceback.print_exc()
