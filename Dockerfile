FROM python:3.11-slim

# Cairo + Pango for drawing, fontconfig and the default fonts (Inter, DejaVu, Noto, emoji).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libcairo2 libpango-1.0-0 libpangocairo-1.0-0 fontconfig \
      fonts-inter fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fonts-liberation2 fonts-roboto fonts-open-sans fonts-lato fonts-cabin fonts-font-awesome fonts-urw-base35 fonts-linuxlibertine fonts-ebgaramond fonts-adf-gillius fonts-crosextra-carlito fonts-crosextra-caladea fonts-roboto-slab fonts-bebas-neue fonts-dancingscript fonts-kaushanscript fonts-comfortaa fonts-quicksand fonts-karla fonts-manrope fonts-league-spartan fonts-vollkorn fonts-jetbrains-mono fonts-inconsolata fonts-firacode fonts-oxygen fonts-dosis fonts-courier-prime fonts-comic-neue fonts-sora \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY svgrender ./svgrender
RUN pip install --no-cache-dir '.[mcp]'
COPY templates ./templates
COPY fonts ./fonts

RUN useradd --system --uid 10001 --home /app svgrender \
 && mkdir -p /data/images && chown -R svgrender /data
USER svgrender

ENV SVGRENDER_TEMPLATES_DIR=/app/templates \
    SVGRENDER_STORAGE_DIR=/data/images \
    SVGRENDER_FONTS_DIR=/app/fonts
EXPOSE 9333
# Binding 0.0.0.0 needs SVGRENDER_API_KEYS (docker run -e SVGRENDER_API_KEYS=...).
CMD ["svgrender", "serve", "--host", "0.0.0.0", "--port", "9333"]
