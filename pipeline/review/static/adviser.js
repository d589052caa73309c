// The advisory group's page: fill the comment's time from the player when it is paused or
// when the time field is reached. The form works the same without this script.
(function () {
  "use strict";
  var video = document.getElementById("video");
  var field = document.getElementById("time");
  if (!video || !field) { return; }
  function fill() {
    var s = Math.floor(video.currentTime || 0);
    var m = Math.floor(s / 60);
    var r = s % 60;
    field.value = m + ":" + (r < 10 ? "0" : "") + r;
  }
  video.addEventListener("pause", fill);
  field.addEventListener("focus", function () {
    if (!field.value && video.currentTime > 0) { fill(); }
  });
}());
