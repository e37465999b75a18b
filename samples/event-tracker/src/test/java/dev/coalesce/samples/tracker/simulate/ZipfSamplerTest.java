package dev.coalesce.samples.tracker.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZipfSamplerTest {

  @Test
  void theHottestIssueGetsItsZipfShareAndTheSeedRepeatsTheRun() {
    long seed = 7;
    System.out.println("seed " + seed);
    ZipfSampler sampler = new ZipfSampler(1_000, 1.0, seed);
    int[] picks = new int[1_000];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 200_000; i++) {
      picks[sampler.next(random)]++;
    }

    // 1 / H(1000) = 13.4%
    assertThat(sampler.hottestShare()).isCloseTo(0.134, within(0.001));
    assertThat(picks[sampler.hottest()] / 200_000.0).isCloseTo(0.134, within(0.005));
    for (int count : picks) {
      assertThat(count).isLessThanOrEqualTo(picks[sampler.hottest()]);
    }

    ZipfSampler again = new ZipfSampler(1_000, 1.0, seed);
    SplittableRandom sameRandom = new SplittableRandom(seed);
    SplittableRandom firstRandom = new SplittableRandom(seed);
    for (int i = 0; i < 1_000; i++) {
      assertThat(again.next(sameRandom)).isEqualTo(sampler.next(firstRandom));
    }
  }

  @Test
  void skewZeroIsUniform() {
    ZipfSampler sampler = new ZipfSampler(10, 0.0, 1);
    int[] picks = new int[10];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 100_000; i++) {
      picks[sampler.next(random)]++;
    }
    for (int count : picks) {
      assertThat(count / 100_000.0).isCloseTo(0.1, within(0.01));
    }
  }
}
