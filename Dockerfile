FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements/base.txt
COPY . .
RUN DJANGO_SECRET_KEY=build NATIONAL_ID_ENCRYPTION_KEYS=ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM= \
    NATIONAL_ID_HMAC_KEY=build DJANGO_SETTINGS_MODULE=ombudsman.settings.production \
    python manage.py collectstatic --no-input
RUN useradd --create-home app && mkdir -p /app/var && chown -R app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "ombudsman.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
