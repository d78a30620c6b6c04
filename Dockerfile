# One image for the web server, the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CLIENTREVIEW_VAR_DIR=/var/lib/clientreview

# WeasyPrint needs Pango (and HarfBuzz, fontconfig); the PDF fonts themselves are bundled in static/fonts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    fontconfig postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .
RUN useradd --system --home /app clientreview \
 && mkdir -p /var/lib/clientreview \
 && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
 && chown -R clientreview /var/lib/clientreview

USER clientreview
EXPOSE 8000
CMD ["gunicorn", "clientreview.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
