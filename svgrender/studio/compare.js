// The template drawn by this browser (an <img> of svgrender's SVG output) beside svgrender's own
// raster, a difference image (×4 so small errors show) and the mean difference per channel.
function load(url) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error(`could not load ${url}`));
    image.src = url;
  });
}

function paint(canvas, image, width, height) {
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, width, height);
  context.drawImage(image, 0, 0, width, height);
  return context.getImageData(0, 0, width, height);
}

export async function compareWithBrowser(svgUrl, pngUrl, template, browserCanvas, serviceCanvas,
                                         diffCanvas) {
  const width = Math.round(template.width);
  const height = Math.round(template.height);
  const [svg, png] = await Promise.all([load(svgUrl), load(pngUrl)]);
  const browser = paint(browserCanvas, svg, width, height);
  const service = paint(serviceCanvas, png, width, height);
  diffCanvas.width = width;
  diffCanvas.height = height;
  const context = diffCanvas.getContext("2d");
  const diff = context.createImageData(width, height);
  let total = 0;
  for (let i = 0; i < browser.data.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(browser.data[i + c] - service.data[i + c]);
      total += d;
      diff.data[i + c] = Math.min(255, d * 4);
    }
    diff.data[i + 3] = 255;
  }
  context.putImageData(diff, 0, 0);
  return total / ((browser.data.length / 4) * 3);
}
