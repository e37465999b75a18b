package dev.coalesce.buffer.internal;

import org.hibernate.event.spi.MergeContext;
import org.hibernate.event.spi.MergeEvent;
import org.hibernate.event.spi.MergeEventListener;

/** A merge listener that does the same for a top-level merge and a cascaded one. */
interface MergeHook extends MergeEventListener {

  void onAnyMerge(MergeEvent event);

  @Override
  default void onMerge(MergeEvent event) {
    onAnyMerge(event);
  }

  @Override
  default void onMerge(MergeEvent event, MergeContext copiedAlready) {
    onAnyMerge(event);
  }
}
