package dev.coalesce.cache;

/**
 * How {@link BytecodeEnhancementTest} reaches {@link Essay}: the enhanced class is defined by a
 * class loader of the test's own, so the test sees it through this interface (loaded once, here).
 */
public interface EssayView {
  String getTitle();

  void setTitle(String title);

  String getBody();
}
