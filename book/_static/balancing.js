// Both theme scripts (sphinx-book-theme 1.4, pydata-sphinx-theme 0.20) bind their sidebar toggles to
// the first ".primary-toggle" in the page, a header button the book theme never shows. The visible
// button in the article header therefore did nothing, and phones could not open the navigation.
// Forward its clicks to the bound button. See ARCHITECTURE.md ("Repairs to the theme").
document.addEventListener("DOMContentLoaded", () => {
  const [bound, ...unbound] = document.querySelectorAll(".primary-toggle");
  unbound.forEach((button) =>
    button.addEventListener("click", (event) => {
      event.preventDefault();
      bound.click();
    }),
  );
});
