package dev.coalesce.samples.tracker.simulate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks one of {@code n} items with Zipf-distributed popularity, as errors fire in real
 * applications: item k (1-based rank) is picked with probability proportional to 1 / k^s. The ranks
 * are shuffled onto item indexes with the seed, so the hottest issues are spread over projects.
 */
final class ZipfSampler {

  private final double[] cumulative;
  private final int[] itemOfRank;

  ZipfSampler(int n, double exponent, long seed) {
    cumulative = new double[n];
    double total = 0;
    for (int rank = 1; rank <= n; rank++) {
      total += 1.0 / Math.pow(rank, exponent);
      cumulative[rank - 1] = total;
    }
    for (int i = 0; i < n; i++) {
      cumulative[i] /= total;
    }
    itemOfRank = new int[n];
    for (int i = 0; i < n; i++) {
      itemOfRank[i] = i;
    }
    SplittableRandom shuffle = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = shuffle.nextInt(i + 1);
      int swap = itemOfRank[i];
      itemOfRank[i] = itemOfRank[j];
      itemOfRank[j] = swap;
    }
  }

  /** An item index in [0, n). */
  int next(SplittableRandom random) {
    int rank = Arrays.binarySearch(cumulative, random.nextDouble());
    if (rank < 0) {
      rank = -rank - 1;
    }
    return itemOfRank[Math.min(rank, itemOfRank.length - 1)];
  }

  /** The item index that is picked most often. */
  int hottest() {
    return itemOfRank[0];
  }

  /** The share of picks that go to the hottest item. */
  double hottestShare() {
    return cumulative[0];
  }
}
