// PNG downloads of the dashboard's charts. Each button carries data-png="<id of an inline svg>"
// and data-filename; the SVG is serialised into an <img>, drawn on a <canvas> at twice its size
// and saved with canvas.toBlob. No inline script, no library, no network.
(function () {
  "use strict";

  function save(blob, filename) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function toPng(svg, filename) {
    var box = svg.viewBox.baseVal;
    var width = box && box.width ? box.width : svg.getBoundingClientRect().width;
    var height = box && box.height ? box.height : svg.getBoundingClientRect().height;
    var copy = svg.cloneNode(true);
    copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    copy.setAttribute("width", String(width));
    copy.setAttribute("height", String(height));
    var text = new XMLSerializer().serializeToString(copy);
    var source = URL.createObjectURL(new Blob([text], { type: "image/svg+xml;charset=utf-8" }));
    var image = new Image();
    image.onload = function () {
      var scale = 2;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(source);
      canvas.toBlob(function (png) { if (png) { save(png, filename); } }, "image/png");
    };
    image.onerror = function () { URL.revokeObjectURL(source); };
    image.src = source;
  }

  document.querySelectorAll("[data-png]").forEach(function (button) {
    var svg = document.getElementById(button.getAttribute("data-png"));
    if (!svg) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      toPng(svg, button.getAttribute("data-filename") || "chart.png");
    });
  });
})();
