/* Loaded in <head>, not deferred: marks the page as having JavaScript before it is drawn, so
   controls that need it (menus, Copy) show and their no-JavaScript stand-ins hide, without a
   flash. Without JavaScript the page keeps class "no-js". */
document.documentElement.classList.replace("no-js", "js");
