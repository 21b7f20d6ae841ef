import re, json
from django.urls import reverse
from tests.test_admin import post_import, JSON_FORMAT
def test_x(admin_client_):
    html = admin_client_.get(reverse("admin:annotate_article_changelist")).content.decode()
    print(re.findall(r'<li>.*?</li>|<a[^>]*(?:import|export)[^>]*>', html, re.S)[:10])
    records = [
        {"text": "Head\r\n\r\nCafe\u0301 body\r", "source": "CNN", "language": "de"},
        {"text": "\ufeffSecond\rstory", "title": "Given title", "url": "https://example.org/2"},
    ]
    p = post_import(admin_client_, "articles.json", json.dumps(records).encode(), JSON_FORMAT)
    r = p.context["result"]
    print(r.totals, [ (row.import_type, row.errors, row.validation_error) for row in r.rows])
