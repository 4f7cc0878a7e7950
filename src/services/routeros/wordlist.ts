/**
 * Short, common, easy-to-spell English words for guest WiFi passphrases that a visitor can
 * read aloud and type on a phone. Lowercase letters only; 256 entries = 8 bits per word.
 */
export const WORDS: readonly string[] = `
acorn actor amber angle apple apron arrow aspen atlas attic bacon badge baker bamboo banjo
barn basil basket beach beard bench berry bison blade blanket bloom board boat bonus boots
brave bread brick bridge brook brush bucket bunny butter cabin cactus camel candle canoe canyon
carpet carrot castle cedar cello chalk cherry chess chief cider circus citrus clay cliff clock
cloud clover coast cobra cocoa comet copper coral cotton cowboy crab crane crayon creek cricket
crown daisy dance delta desert diary dingo dolphin donkey dragon drum eagle earth easel
echo elbow ember engine falcon fancy farm feather fence fern fiddle finch flag flame flute
forest fossil fox frog fruit galaxy garden garlic gecko giant ginger glove goat grape gravy
guitar hammer harbor harp hazel heron hiker honey horse igloo island ivory jacket jaguar jelly
jungle kayak kettle kitten koala ladder lagoon lake lemon lentil lily lime lizard llama lobster
lotus lunar magnet mango maple marble meadow melon mint mitten monkey moose mosaic muffin
mustard nectar needle noodle nutmeg oasis ocean olive onion orbit orchid otter owl paddle
panda papaya parrot pasta peach peanut pebble pepper piano pickle pigeon pilot pine pirate
planet plum pocket polar pony poppy potato pretzel pumpkin puppy quail quartz quilt rabbit
radish raven reef rhino ribbon river robin rocket rose ruby saddle salmon sandal saturn
scarf shell sierra silver sketch sled snail spider spoon squid stamp stone sugar
summer sunset swan tango teapot tiger timber tomato tulip turtle valley velvet violin
walnut walrus wagon whale willow window winter wizard yogurt zebra zigzag
`
  .trim()
  .split(/\s+/);
