package io.switchyard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GtidPositionTest {

    @Test
    void aPositionCoversAnotherWhenEveryDomainIsAsFar() {
        GtidPosition replica = GtidPosition.parse("0-1-100,1-2-7");
        assertThat(replica.covers(GtidPosition.parse("0-1-100"))).isTrue();
        assertThat(replica.covers(GtidPosition.parse("0-3-99"))).as("the server id does not matter").isTrue();
        assertThat(replica.covers(GtidPosition.parse("0-1-101"))).isFalse();
        assertThat(replica.covers(GtidPosition.parse("2-1-1"))).as("a domain it has not seen").isFalse();
        assertThat(replica.covers(GtidPosition.EMPTY)).isTrue();
        assertThat(GtidPosition.EMPTY.covers(replica)).isFalse();
    }

    @Test
    void mergingKeepsTheHigherSequencePerDomain() {
        GtidPosition merged = GtidPosition.parse("0-1-100,1-2-7").merge(GtidPosition.parse("1-3-9,2-1-1"));
        assertThat(merged).hasToString("0-1-100,1-3-9,2-1-1");
        assertThat(merged.covers(GtidPosition.parse("0-1-100,1-2-8"))).isTrue();
    }

    @Test
    void textThatIsNoGtidIsSkipped() {
        assertThat(GtidPosition.parse("")).isEqualTo(GtidPosition.EMPTY);
        assertThat(GtidPosition.parse(null)).isEqualTo(GtidPosition.EMPTY);
        assertThat(GtidPosition.parse(" 0-1-5 , x-y-z, 3-4")).hasToString("0-1-5");
    }
}
