# One image for the API, the job worker and the projector; docker-compose.yml picks the command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 MOTCUA_DATA_DIR=/data MOTCUA_HOST=0.0.0.0
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY application ./application
COPY projections ./projections
COPY api ./api
COPY adapters ./adapters
COPY ops ./ops
RUN pip install --no-cache-dir . && useradd --system --uid 10001 motcua && mkdir -p /data && chown motcua /data
USER motcua
EXPOSE 8000
CMD ["motcua", "serve"]
